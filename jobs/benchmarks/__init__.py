"""Benchmarks: each module has `benchmarks(quick=False) -> list[dict]`."""
