"""URL rule pieces for ids: bounded like their columns, so an id too large for its column is a
404 from routing rather than a database error."""

INT_ID = "int(max=2147483647)"  # INTEGER primary keys (users, organizations, categories)
BIGINT_ID = "int(max=9223372036854775807)"  # BIGINT primary keys (requests, comments, attachments)
