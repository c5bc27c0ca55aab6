"""Benchmarks, run by hand (`make bench` or `python -m benchmarks`); not part of the test run."""
