"""Benchmarks: API calls per operation, wall time and peak RSS against a local AWS emulation (not tests)."""
