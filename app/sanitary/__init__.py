"""Vigilância Sanitária: establishments, risk, roteiros, inspections, documents, processes."""
