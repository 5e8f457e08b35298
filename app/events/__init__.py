"""The event log: the audit timeline of every change and the notification engine's outbox."""
