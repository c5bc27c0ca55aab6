"""Benchmarks (`make bench`): ratios measured side by side in one run, written to docs/benchmarks.md.

Not part of the pass/fail test run: timings depend on the machine; the ratios are what we track.
"""
