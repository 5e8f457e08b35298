"""Service requests: categories, the request lifecycle, comments, followers, attachments."""
