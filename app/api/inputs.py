"""Kept for older imports: the input schema base lives in app/inputs.py (domain schemas use it)."""

from app.inputs import InputSchema  # noqa: F401
