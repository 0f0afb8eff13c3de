"""Benchmarks and the synthetic province-scale dataset they run on (issue 9)."""
