"""Email: templates, rendering, reply-address tokens and MIME parsing."""
