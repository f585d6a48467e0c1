from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from recommendations.imports import (
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportPlan,
    ImportRejected,
    apply_import,
    plan_import,
)


class Command(BaseCommand):
    help = (
        "Import recommendations, events, sessions and participations from a CSV or XLSX file "
        "in the export format (docs/import-format.md); all of it or, on any problem, none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; write nothing."
        )
        parser.add_argument(
            "--user",
            help="Import as this user, with their permissions, and record them as the author. "
            "Without it the import runs with every right, as load_seed does.",
        )

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, **options):
        importer = None
        if user:
            try:
                importer = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"There is no user {user!r}.") from None
        try:
            with file.open("rb") as opened:
                plan = plan_import(opened, filename=file.name, user=importer)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from None
        self._report(plan, planned=True)
        if not plan.ok:
            raise CommandError(f"Nothing was imported: {len(plan.problems)} problem(s) above.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            done = apply_import(plan, user=importer)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError("Nothing was imported.") from None
        self._report(done, planned=False)
        self.stdout.write(self.style.SUCCESS(f"Imported {file.name}."))

    def _report(self, plan: ImportPlan, *, planned: bool):
        verbs = (
            {CREATE: "would create", UPDATE: "would update", UNCHANGED: "unchanged"}
            if planned
            else {CREATE: "created", UPDATE: "updated", UNCHANGED: "unchanged"}
        )
        if planned:
            for change in plan.created + plan.updated:
                self.stdout.write(f"  {change}")
        for action, verb in verbs.items():
            if counted := plan.counts(action):
                self.stdout.write(f"{verb}: {counted}")
        for warning in plan.warnings if planned else []:
            self.stdout.write(self.style.WARNING(f"Note: {warning}"))
        for problem in plan.problems:
            self.stderr.write(str(problem))
