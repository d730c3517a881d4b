"""The Qt (PySide6 Widgets) client of Saúde Municipal. Imports `app`, never the reverse."""
