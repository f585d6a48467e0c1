from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.seed import FIXTURES_DIR, SeedError, load_seed


class Command(BaseCommand):
    help = "Load the curated seed corpus (fixtures/) in one transaction; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", type=Path, default=FIXTURES_DIR)

    def handle(self, *args, fixtures, **options):
        try:
            report = load_seed(fixtures_dir=fixtures)
        except SeedError as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from exc
        if not report.changed:
            self.stdout.write("The seed corpus is already loaded; nothing changed.")
            return
        for label, bucket in (("created", report.created), ("updated", report.updated)):
            for name, count in sorted(bucket.items()):
                self.stdout.write(f"{label} {count} {name}")
        self.stdout.write(self.style.SUCCESS("Seed corpus loaded."))
