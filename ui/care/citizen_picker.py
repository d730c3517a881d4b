"""Choosing the citizen of an attendance: a typed CNS or CPF is explained when it cannot be one
(`document_error`, before any search), and a name opens `CitizenPickerDialog`, a small list moved
through with the arrow keys and chosen with Enter.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.brazil.identifiers import cns_error, cpf_error, format_cns, only_digits
from app.registry.queries import CitizenRow
from ui.models.rows import Column, RowsModel
from ui.widgets.tables import rows_table

# --- the citizen picker ---------------------------------------------------------------------------


class CitizenPickModel(RowsModel[CitizenRow]):
    def _build_columns(self) -> list[Column[CitizenRow]]:
        return [
            Column(self.tr("Nome"), lambda r: r.name),
            Column(self.tr("Nascimento"), lambda r: f"{r.birth_date:%d/%m/%Y}"),
            Column(self.tr("Sexo"), lambda r: r.sex.label),
            Column(self.tr("CNS"), lambda r: format_cns(r.cns) if r.cns else ""),
            Column(self.tr("Mãe"), lambda r: r.mother_name),
        ]


def document_error(typed: str) -> str | None:
    """Why a typed number cannot be a CNS (15 digits) or a CPF (11), before any search."""
    digits = only_digits(typed)
    if not digits or digits != typed.replace(".", "").replace("-", "").replace(" ", ""):
        return None  # a name
    if len(digits) == 15:
        return cns_error(digits)
    if len(digits) == 11:
        return cpf_error(digits)
    return "Digite o CNS (15 dígitos), o CPF (11 dígitos) ou o nome do cidadão."


class CitizenPickerDialog(QDialog):
    """The citizens found by a name: ↑/↓ to move, Enter chooses, Esc goes back to typing.

    Signals:
        chosen(object): the `CitizenRow` picked.
    """

    chosen = Signal(object)

    def __init__(self, typed: str, rows: list[CitizenRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("citizen_picker")
        self.setWindowTitle(self.tr("Escolha o cidadão"))
        self.model = CitizenPickModel(parent=self)
        self.model.set_rows(rows)
        layout = QVBoxLayout(self)
        text = self.tr("{count} cidadão(s) para “{typed}”. ↑/↓ escolhe, Enter confirma, Esc volta.")
        layout.addWidget(QLabel(text.format(count=len(rows), typed=typed)))
        self.table = rows_table(self.model, "citizen_choices")
        self.table.activated.connect(lambda _index: self._choose())
        layout.addWidget(self.table)
        self.table.selectRow(0)
        self.table.setFocus()
        self.resize(760, 320)

    def _choose(self) -> None:
        row = self.model.row_for(self.table.currentIndex())
        if row is not None:
            self.chosen.emit(row)
            self.accept()
