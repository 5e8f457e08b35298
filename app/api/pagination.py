"""Kept for older imports: pagination lives in app/pagination.py (domain code uses it too)."""

from app.pagination import MAX_PAGE, MAX_PER_PAGE, PaginationArgs, page_schema, paginate  # noqa: F401
