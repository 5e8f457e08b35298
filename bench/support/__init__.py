"""Helpers for the scripts in bench/ (not benchmarks themselves: `make bench` runs bench/*.py only)."""
