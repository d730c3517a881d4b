"""Screens of the shared registry (Cadastros): the citizen list, the citizen form and the
citizen's detail with its history. Data comes from `app.registry` services and queries only.
"""
