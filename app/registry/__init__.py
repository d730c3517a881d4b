"""Shared master data every department uses: citizens, health units, professionals, territory."""
