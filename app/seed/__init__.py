"""Demo data for `make run`; production never runs it."""
