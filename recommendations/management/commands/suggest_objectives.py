import json

from django.core.management.base import BaseCommand

from objectives.models import Objective
from recommendations.models import Recommendation
from recommendations.suggestions import current_suggester, recommendation_text


class Command(BaseCommand):
    help = (
        "Suggest objectives for every recommendation that has none yet. Only prints: a "
        "suggestion becomes a tag when a person accepts it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--top", type=int, default=3, help="How many objectives to show for each (default 3)."
        )
        parser.add_argument(
            "--event", help="Only recommendations made at the event with this code."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON instead of text."
        )

    def handle(self, *args, top, event, as_json, **options):
        untagged = Recommendation.objects.filter(objective_links__isnull=True).order_by("reference")
        if event:
            untagged = untagged.for_event(event)
        untagged = list(untagged.only("reference", "short_title", "text", "language"))
        ranked = current_suggester().suggest_many(
            [recommendation_text(r.short_title, r.text) for r in untagged],
            [r.language for r in untagged],
        )
        titles = dict(Objective.objects.values_list("number", "short_title_en"))
        results = [
            {
                "reference": recommendation.reference,
                "short_title": recommendation.short_title,
                "suggestions": [
                    {"number": s.number, "score": s.score, "short_title": titles.get(s.number, "")}
                    for s in suggestions[: max(top, 0)]
                ],
            }
            for recommendation, suggestions in zip(untagged, ranked, strict=True)
        ]
        if as_json:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
            return
        if not results:
            self.stdout.write(
                "Every recommendation has at least one objective; nothing to suggest."
            )
            return
        for result in results:
            self.stdout.write(f"{result['reference']}: {result['short_title']}")
            for s in result["suggestions"]:
                self.stdout.write(f"  {s['number']:>2}  {s['score']:.2f}  {s['short_title']}")
        self.stdout.write(f"{len(results)} recommendations without objectives.")
