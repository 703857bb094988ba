"""Benchmarks of bria_async against hand-written baselines; run `python -m benchmarks`."""
