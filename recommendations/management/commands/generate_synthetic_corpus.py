"""Generate the benchmark corpus: see benchmarks/corpus.py and docs/performance.md."""

import time

from django.core.management.base import BaseCommand, CommandError

from benchmarks.corpus import CorpusExists, generate, scaled_counts, shape_report


class Command(BaseCommand):
    help = (
        "Write a synthetic corpus shaped like the seed corpus (100,000 recommendations by "
        "default), the same for the same --seed. Use a database of its own, e.g. gcm_bench."
    )

    def add_arguments(self, parser):
        parser.add_argument("--recommendations", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=5_000)

    def handle(self, *args, recommendations, seed, batch_size, **options):
        if recommendations < 1:
            raise CommandError("--recommendations must be at least 1.")
        self.stdout.write("The seed corpus's distributions, which the synthetic one follows:")
        self.stdout.write(shape_report())
        planned = ", ".join(
            f"{count:,} {name}" for name, count in scaled_counts(recommendations).items()
        )
        self.stdout.write(f"Generating {planned} (seed {seed}).")
        started = time.perf_counter()
        try:
            written = generate(
                recommendations=recommendations,
                seed=seed,
                batch_size=batch_size,
                log=self.stdout.write,
            )
        except CorpusExists as exc:
            raise CommandError(str(exc)) from exc
        for name, count in sorted(written.items()):
            self.stdout.write(f"{count:>9,} {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic corpus written in {time.perf_counter() - started:.0f} s."
            )
        )
