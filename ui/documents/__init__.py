"""Document screens shared by every department: checking a printed document's verification code.

Issuing and previewing documents belongs to each department's page (through
`ui.widgets.pdf_preview`); this package holds what concerns documents as such.
"""
