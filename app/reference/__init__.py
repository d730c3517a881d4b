"""Code tables with versions: CID-10, SIGTAP and CBO, their loaders, importers and look-ups.

These are reference data that the hub treats as authoritative and every node loads from the same
published files (DATASUS CSVs, the monthly SIGTAP zip, the bundled CBO list), so they are plain
tables keyed by version or competence, never synced row by row.
"""
