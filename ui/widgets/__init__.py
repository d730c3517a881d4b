"""Reusable widgets for every department's screens: masked document fields, a date field that a
typist can fill without a spinbox, red error labels beside fields, a form layout that ties them
together, the debounced search box and the PDF preview. Nothing here touches the database.
"""
