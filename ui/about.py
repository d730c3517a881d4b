"""The "Sobre" dialog: what this program is, which versions run, and where its data comes from.

The data sources and the licences of the libraries are listed here because the municipality must
be able to say where the CID-10 or the municipality codes it relies on come from, and because the
LGPL of Qt asks that its use be stated.
"""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app import APP_NAME, __version__

LIBRARIES = (
    ("PySide6 / Qt", "LGPL v3"),
    ("SQLAlchemy", "MIT"),
    ("Alembic", "MIT"),
    ("ReportLab", "BSD"),
    ("argon2-cffi", "MIT"),
    ("cryptography", "Apache 2.0 / BSD"),
    ("platformdirs", "MIT"),
    ("psycopg", "LGPL v3"),
    ("lxml", "BSD"),
    ("holidays", "MIT"),
    ("uuid6", "MIT"),
    ("validate-docbr", "MIT"),
)


class AboutDialog(QDialog):
    """Name, version, runtime versions, data sources and libraries; "Fechar" (or Esc) closes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle(self.tr("Sobre o {app}").format(app=APP_NAME))
        layout = QVBoxLayout(self)
        self.text_label = QLabel(self._html())
        self.text_label.setObjectName("about_text")
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Fechar"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def data_sources(self) -> list[str]:
        return [
            self.tr("CID-10: Fonte: DATASUS/MS — CID-10 versão 2008"),
            self.tr("Códigos de municípios: IBGE, via brutils 2.5.0 (MIT)"),
        ]

    def _html(self) -> str:
        versions = self.tr(
            "Versão {version} · Python {python} · Qt {qt} (PySide6 {pyside})"
        ).format(
            version=__version__,
            python=platform.python_version(),
            qt=qVersion(),
            pyside=PySide6.__version__,
        )
        sources = "".join(f"<li>{source}</li>" for source in self.data_sources())
        libraries = ", ".join(f"{name} ({licence})" for name, licence in LIBRARIES)
        return (
            f"<h2>{APP_NAME}</h2>"
            f"<p>{self.tr('Sistema da Secretaria Municipal de Saúde.')}</p>"
            f"<p>{versions}</p>"
            f"<h4>{self.tr('Fontes de dados')}</h4><ul>{sources}</ul>"
            f"<h4>{self.tr('Bibliotecas')}</h4><p>{libraries}</p>"
        )
