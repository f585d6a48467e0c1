from django.core.management.base import BaseCommand
from django.db import transaction

from recommendations.recurring import (
    DEFAULT_MIN_SCORE,
    PER_RECOMMENDATION,
    find_repeat_candidates,
    store_repeat_proposals,
)


class Command(BaseCommand):
    help = (
        "Find recommendations from different events that make the same ask and store each new "
        "pair as a proposal for curators. Links nothing; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE)
        parser.add_argument("--per-recommendation", type=int, default=PER_RECOMMENDATION)
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the pairs found; store nothing."
        )

    def handle(self, *args, min_score, per_recommendation, dry_run, **options):
        candidates = find_repeat_candidates(
            min_score=min_score, per_recommendation=per_recommendation
        )
        if dry_run:
            for c in candidates:
                self.stdout.write(
                    f"{c.score:.2f}  {c.later.reference} repeats {c.earlier.reference}?  "
                    f"{c.later.short_title} / {c.earlier.short_title}"
                )
            self.stdout.write(f"{len(candidates)} pairs found; nothing stored.")
            return
        with transaction.atomic():
            stored = store_repeat_proposals(candidates)
        for proposal in stored:
            self.stdout.write(
                f"{proposal.score:.2f}  {proposal.later.reference} repeats "
                f"{proposal.earlier.reference}?"
            )
        self.stdout.write(
            f"{len(stored)} new proposals for curators; "
            f"{len(candidates) - len(stored)} pairs were already proposed or linked."
        )
