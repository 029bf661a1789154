"""Helpers shared by lambdaops tests and benchmarks."""
