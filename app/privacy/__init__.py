"""Privacy: a resident's export and deletion, anonymous reports, retention, and the audit trail."""
