"""Reference-table screens: the "Tabelas de referência" page (SIGTAP, procedures, CID-10).

The page imports the official SIGTAP zip through `app.reference.service` and reads plain rows from
`app.reference.queries` and `app.reference.cid10`, always through `ctx.ops`.
"""
