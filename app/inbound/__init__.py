"""Inbound email: receiving, routing replies to comments, and the triage queue."""
