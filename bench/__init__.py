"""Benchmarks; run each as a script (see README.md, Performance)."""
