"""Persistence: engine, sessions, declarative base with sync-ready mixins, and migrations."""
