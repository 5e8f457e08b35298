"""The notification engine: the matrix, fan-out, in-app notifications and email delivery."""
