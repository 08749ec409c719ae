"""Reproducible benchmarks: they print figures; no test times anything."""
