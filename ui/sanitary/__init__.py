"""Screens of Vigilância Sanitária (VISA)."""
