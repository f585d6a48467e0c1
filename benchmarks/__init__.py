"""The synthetic corpus, the benchmark runner and its floor views (see docs/performance.md)."""
