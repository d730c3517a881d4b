"""Accounts, roles and permissions, password hashing, login and lockout, the audit trail."""
