"""Accounts, organizations, memberships, roles and permissions."""
