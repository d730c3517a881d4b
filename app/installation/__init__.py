"""The municipality's profile and this installation's identity; first-run setup and demo data."""
