"""Outbound webhooks: organizations' HTTPS endpoints told of events, signed the Standard Webhooks way.

The fan-out writes one `webhook_deliveries` row per (endpoint, event) through the channel
in app/notify/channels/webhook.py; the `webhooks` queue's actor sends them (sender.py),
retrying with backoff and logging every attempt, so email never waits on a slow receiver.
"""
