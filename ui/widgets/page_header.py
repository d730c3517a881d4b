"""The header row at the top of a list page: the page's title in large bold type on the left and,
on the right, a label the page fills with how many items the list shows ("123 cidadão(s)"),
aligned with the bottom of the title. `title_label` gives the title alone for pages without a
count; every page makes its title with it. Object names "page_title" and "count_label" are
what the stylesheet (`resources/styles/app.qss`, which sets the final look), tests and screenshots
look for; the font set here is what shows when no stylesheet is loaded (tests, screenshots).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel

TITLE_SCALE = 1.5


def title_label(text: str) -> QLabel:
    """The page's title: bold, 1.5 times the normal font, object name "page_title"."""
    title = QLabel(text)
    title.setObjectName("page_title")
    font = QFont(title.font())
    font.setPointSizeF(font.pointSizeF() * TITLE_SCALE)
    font.setBold(True)
    title.setFont(font)
    return title


def header_row(text: str) -> tuple[QHBoxLayout, QLabel]:
    """The title on the left, the (empty) count label on the right; returns both."""
    row = QHBoxLayout()
    count = QLabel()
    count.setObjectName("count_label")
    row.addWidget(title_label(text))
    row.addStretch(1)
    row.addWidget(count, 0, Qt.AlignmentFlag.AlignBottom)
    return row, count
