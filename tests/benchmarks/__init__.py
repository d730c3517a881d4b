"""Benchmarks run by `make bench`: each prints a ratio to a raw baseline of the same run."""
