"""The address rows shared by the citizen and the establishment forms: CEP (masked, checked on
leaving), logradouro, número, complemento and bairro (a combo of the municipality's districts, its
data the district id, "" for "Selecione…"). `address_rows` builds the widgets and their labels;
each form adds them to its own `FormLayout` (field names "cep", "street", "number", "complement",
"district_id", the names the services use in their errors) and keeps them in its field map. The
two forms differ only in the complement's mnemonic and the minimum width of the long fields.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from ui.widgets.fields import DocumentField

AddressRow = tuple[str, str, QWidget]  # (field name, label with mnemonic, widget)


def _tr(text: str) -> str:
    return QCoreApplication.translate("address", text)


def district_combo(districts: Sequence[tuple[str, str]]) -> QComboBox:
    """First "Selecione…" (data ""), then each (id, name) bairro with its id as item data."""
    combo = QComboBox()
    combo.addItem(_tr("Selecione…"), "")
    for district_id, name in districts:
        combo.addItem(name, district_id)
    return combo


def _line(max_length: int, min_chars: int) -> QLineEdit:
    """Short fields (< 40) fixed to their width; long ones at least `min_chars` wide (0: free)."""
    edit = QLineEdit()
    edit.setMaxLength(max_length)
    chars = edit.fontMetrics().averageCharWidth()
    if max_length < 40:
        edit.setFixedWidth(chars * (max_length + 4))
    elif min_chars:
        edit.setMinimumWidth(chars * min_chars)
    return edit


def address_rows(
    districts: Sequence[tuple[str, str]], complement_label: str, min_chars: int = 0
) -> list[AddressRow]:
    """The five address rows, in reading order; `min_chars` is the long fields' minimum width."""
    return [
        ("cep", _tr("CE&P"), DocumentField("cep")),
        ("street", _tr("&Logradouro"), _line(120, min_chars)),
        ("number", _tr("Nú&mero"), _line(10, min_chars)),
        ("complement", complement_label, _line(60, min_chars)),
        ("district_id", _tr("&Bairro"), district_combo(districts)),
    ]
