"""Benchmarks: scripts that print figures (never wall-clock assertions in tests)."""
