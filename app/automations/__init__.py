"""Automations: an organization's rules "when this happens (and is still so after a while), do that"."""
