"""Qt item models over plain rows returned by `app` queries: lazy (fetched page by page), never
holding ORM objects or sessions, and each one checked by pytest-qt's `qtmodeltester`.
"""
