"""Benchmark tooling (outside the installed package): speed, memory, growth, load."""
