"""The attendance form and its dialogs: the keyboard-only form a clerk types paper fichas into,
the correction dialog and the reason dialog (void, reopen). The citizen picker and the code
fields live in `citizen_picker` and `coded_fields`.

`AttendanceForm` has the ficha's header (unit, professional with occupation, date) and the body
(citizen, procedure lines, CID-10, type, place, conduct). Enter moves on: in the citizen field it
searches (an exact CNS or CPF selects at once, a name opens `CitizenPickerDialog`); in a procedure
code it goes to the quantity; in the quantity it opens the next line; in an empty code line it
leaves the list for the CID-10; in the last combo it asks to save (`submit_requested`). Codes and
CID-10 complete from the reference tables while typed (searched in the worker, 250 ms after the
last key). `show_errors` puts each message of a `ValidationError` beside its field, including under
the right procedure line for "procedures.N"; nothing typed is cleared by an error.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.brazil.identifiers import format_cns, only_digits
from app.care.attendance_queries import AttendanceDetail
from app.care.attendance_rules import (
    ATTENDANCE_TYPES,
    CONDUCTS,
    DEFAULT_CONDUCT,
    PLACES,
    age_on,
    competence_of,
)
from app.care.attendances import AttendanceInput, ProcedureInput
from app.care.entry_queries import EntryBond, EntryUnit, entry_bonds, entry_units
from app.registry.queries import CitizenFilter, CitizenRow, citizen_row, find_citizens
from ui.care.citizen_picker import CitizenPickerDialog, document_error
from ui.care.coded_fields import CompletingEdit, ProcedureLine, icd10_lookup
from ui.care.handoff import AttendanceDraft
from ui.context import AppContext
from ui.widgets.fields import DateField, EnterAdvances, ErrorLabel, OnEnter

CITIZEN_LIMIT = 30
DEFAULT_TYPE, DEFAULT_PLACE = 2, 1


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


# --- the form -------------------------------------------------------------------------------------


def citizen_text(row: CitizenRow, on: date) -> str:
    """ "MARIA DA SILVA · 34 anos · Feminino · CNS 700 0000 0000 0000"."""
    age = age_on(row.birth_date, on)
    parts = [row.name, f"{age} ano{'s' if age != 1 else ''}", row.sex.label]
    if row.cns:
        parts.append(f"CNS {format_cns(row.cns)}")
    elif row.cpf:
        parts.append(f"CPF {row.cpf}")
    return " · ".join(parts)


class AttendanceForm(QWidget):
    """The ficha: header (unit, professional, date) and the attendance itself.

    Signals:
        header_ready(): units and professionals are loaded (the form can be typed into).
        header_changed(): unit, professional or date changed (the page remembers them).
        citizen_chosen(): a citizen was selected.
        submit_requested(): Enter on the last field (the page saves).
    """

    header_ready = Signal()
    header_changed = Signal()
    citizen_chosen = Signal()
    submit_requested = Signal()

    def __init__(
        self, ctx: AppContext, today: date, parent: QWidget | None = None, *, kept: bool = True
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attendance_form")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._ctx, self._today, self._kept = ctx, today, kept
        self._citizen: CitizenRow | None = None
        self._citizen_id: uuid.UUID | None = None
        self.appointment_id: uuid.UUID | None = None  # set when the agenda handed the citizen
        self._search_generation = 0
        self.lines: list[ProcedureLine] = []
        self.error_labels: dict[str, ErrorLabel] = {}
        self._advance = EnterAdvances(self)
        self._build_ui()
        self.add_line()
        self._connect()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_header())
        layout.addWidget(self._build_body())
        self.general_error = ErrorLabel("general")
        layout.addWidget(self.general_error)

    def _labelled(self, grid: QGridLayout, row: int, col: int, text: str, widget: QWidget,
                  field: str, span: int = 1) -> ErrorLabel:  # fmt: skip
        caption = QLabel(text)
        caption.setBuddy(widget)
        grid.addWidget(caption, row, col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        error = getattr(widget, "error_label", None) or ErrorLabel(field)
        error.setObjectName(f"error_{field}")
        column.addWidget(error)
        grid.addWidget(cell, row, col + 1, 1, span)
        self.error_labels[field] = error
        return error

    def _build_header(self) -> QGroupBox:
        box = QGroupBox(
            self.tr("Cabeçalho da ficha (mantido entre um atendimento e outro)")
            if self._kept
            else self.tr("Cabeçalho da ficha")
        )
        grid = QGridLayout(box)
        self.unit_combo = QComboBox()
        self.unit_combo.setObjectName("field_unit")
        self.unit_combo.setMinimumContentsLength(24)
        self.professional_combo = QComboBox()
        self.professional_combo.setObjectName("field_professional_id")
        self.professional_combo.setMinimumContentsLength(40)
        self.date_field = DateField("attended_on")
        self.date_field.setObjectName("field_attended_on")
        self.date_field.set_value(self._today)
        self._labelled(grid, 0, 0, self.tr("&Unidade:"), self.unit_combo, "unit_cnes")
        self._labelled(grid, 0, 2, self.tr("&Profissional:"), self.professional_combo,
                       "professional_id")  # fmt: skip
        self._labelled(grid, 0, 4, self.tr("&Data:"), self.date_field, "attended_on")
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 3)
        return box

    def _build_body(self) -> QGroupBox:
        box = QGroupBox(self.tr("Atendimento"))
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        grid.addWidget(self._labelled_citizen(), 0, 1)
        self._caption(grid, 0, self.tr("&Cidadão:"), self.citizen_edit)
        self.lines_box = QVBoxLayout()
        self.lines_box.setSpacing(2)
        procedures = QWidget()
        column = QVBoxLayout(procedures)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.lines_box)
        self.error_labels["procedures"] = ErrorLabel("procedures")
        column.addWidget(self.error_labels["procedures"])
        grid.addWidget(procedures, 1, 1)
        self.procedures_caption = self._caption(grid, 1, self.tr("P&rocedimentos:"), None)
        grid.addWidget(self._build_icd10(), 2, 1)
        self._caption(grid, 2, self.tr("CID-&10:"), self.icd10_edit)
        grid.addWidget(self._build_codes(), 3, 0, 1, 2)
        return box

    def _caption(self, grid: QGridLayout, row: int, text: str, buddy: QWidget | None) -> QLabel:
        caption = QLabel(text)
        if buddy is not None:
            caption.setBuddy(buddy)
        grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        return caption

    def _labelled_citizen(self) -> QWidget:
        self.citizen_edit = QLineEdit()
        self.citizen_edit.setObjectName("field_citizen_id")
        self.citizen_edit.setPlaceholderText(self.tr("CNS, CPF ou nome + Enter"))
        self.citizen_edit.setFixedWidth(self.fontMetrics().horizontalAdvance("8" * 26) + 24)
        self.citizen_info = QLabel()
        self.citizen_info.setObjectName("citizen_info")
        font = QFont(self.citizen_info.font())
        font.setBold(True)
        self.citizen_info.setFont(font)
        self.citizen_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return self._with_error(self.citizen_edit, self.citizen_info, "citizen_id")

    def _with_error(self, widget: QWidget, beside: QWidget, field: str) -> QWidget:
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        row = QHBoxLayout()
        row.addWidget(widget)
        row.addWidget(beside, 1)
        column.addLayout(row)
        error = getattr(widget, "error_label", None) or ErrorLabel(field)
        error.setObjectName(f"error_{field}")
        column.addWidget(error)
        self.error_labels[field] = error
        return cell

    def _build_icd10(self) -> QWidget:
        self.icd10_edit = CompletingEdit(self._ctx, icd10_lookup, "icd10", 14)
        self.icd10_edit.setPlaceholderText(self.tr("código ou palavras"))
        return self._with_error(self.icd10_edit, self.icd10_edit.description, "icd10")

    def _build_codes(self) -> QWidget:
        panel = QWidget()
        grid = QGridLayout(panel)
        grid.setContentsMargins(0, 0, 0, 0)
        self.type_combo = self._combo("attendance_type", ATTENDANCE_TYPES)
        self.place_combo = self._combo("place", PLACES)
        self.conduct_combo = self._combo("conduct", CONDUCTS)
        self._labelled(grid, 0, 0, self.tr("&Tipo de atendimento:"), self.type_combo,
                       "attendance_type")  # fmt: skip
        self._labelled(grid, 0, 2, self.tr("&Local:"), self.place_combo, "place")
        self._labelled(grid, 0, 4, self.tr("C&onduta:"), self.conduct_combo, "conduct")
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)
        self.reset_codes()
        return panel

    def _combo(self, field: str, options: Mapping[int, str]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"field_{field}")
        for code, text in options.items():
            combo.addItem(f"{code} – {text}", code)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return combo

    def _connect(self) -> None:
        for widget in (self.unit_combo, self.professional_combo, self.type_combo,
                       self.place_combo):  # fmt: skip
            widget.installEventFilter(self._advance)
        self.conduct_combo.installEventFilter(OnEnter(self.submit_requested.emit, self))
        self.date_field.returnPressed.connect(self.citizen_edit.setFocus)
        self.citizen_edit.returnPressed.connect(self._citizen_entered)
        self.citizen_edit.textEdited.connect(lambda _t: self._forget_citizen())
        self.icd10_edit.returnPressed.connect(self.type_combo.setFocus)
        self.unit_combo.currentIndexChanged.connect(lambda _i: self._unit_changed())
        self.professional_combo.currentIndexChanged.connect(lambda _i: self.header_changed.emit())
        self.date_field.editingFinished.connect(self._date_changed)

    # --- header -----------------------------------------------------------------------------

    def load_header(self, unit_cnes: str = "", bond: str = "") -> None:
        """Fill the unit chooser (preferring `unit_cnes`) and then its professionals."""
        ctx = self._ctx

        def work() -> list[EntryUnit]:
            with ctx.db.read_only() as session:
                return entry_units(session, ctx.actor)

        ctx.ops.run(work, lambda units: self._show_units(units, unit_cnes, bond), parent=self)

    def _show_units(self, units: list[EntryUnit], preferred: str, bond: str) -> None:
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        for unit in units:
            self.unit_combo.addItem(f"{unit.name} (CNES {unit.cnes})", unit.cnes)
        wanted = preferred or self._ctx.installation.unit_cnes or ""
        self.unit_combo.setCurrentIndex(max(self.unit_combo.findData(wanted), 0))
        self.unit_combo.blockSignals(False)
        self._load_bonds(bond)

    def _unit_changed(self) -> None:
        self._load_bonds()
        self.header_changed.emit()

    def _load_bonds(self, wanted: str = "") -> None:
        ctx, cnes = self._ctx, self.unit_cnes()
        if not cnes:
            self.header_ready.emit()
            return

        def work() -> list[EntryBond]:
            with ctx.db.read_only() as session:
                return entry_bonds(session, ctx.actor, cnes)

        ctx.ops.run(work, lambda bonds: self._show_bonds(bonds, wanted), parent=self)

    def _show_bonds(self, bonds: list[EntryBond], wanted: str) -> None:
        self.professional_combo.blockSignals(True)
        self.professional_combo.clear()
        for bond in bonds:
            title = f" – {bond.cbo_title}" if bond.cbo_title else ""
            self.professional_combo.addItem(f"{bond.name} (CBO {bond.cbo}{title})",
                                            f"{bond.professional_id}|{bond.cbo}")  # fmt: skip
        index = self.professional_combo.findData(wanted)
        self.professional_combo.setCurrentIndex(max(index, 0) if bonds else -1)
        self.professional_combo.blockSignals(False)
        self.header_ready.emit()

    def unit_cnes(self) -> str:
        return str(self.unit_combo.currentData() or "")

    def bond(self) -> str:
        """ "professional id|CBO" of the chosen bond ("" when none)."""
        return str(self.professional_combo.currentData() or "")

    def select_bond(self, bond: str) -> bool:
        index = self.professional_combo.findData(bond)
        if index >= 0:
            self.professional_combo.setCurrentIndex(index)
        return index >= 0

    def attended_on(self) -> date | None:
        return self.date_field.value()

    def _date_changed(self) -> None:
        if self._citizen is not None:
            self.citizen_info.setText(citizen_text(self._citizen, self._age_day()))
        self.header_changed.emit()

    def _age_day(self) -> date:
        return self.attended_on() or self._today

    def competence(self) -> str:
        return competence_of(self._age_day())

    # --- citizen ----------------------------------------------------------------------------

    def citizen_id(self) -> uuid.UUID | None:
        return self._citizen_id

    def _forget_citizen(self) -> None:
        self.appointment_id = None  # the booking belonged to that citizen
        if self._citizen_id is not None:
            self._citizen, self._citizen_id = None, None
            self.citizen_info.clear()

    def start_from(self, draft: AttendanceDraft) -> None:
        """Pre-fill from the agenda: header, date, citizen; the cursor waits on the procedures."""
        ctx = self._ctx
        self.clear_body()
        self.date_field.set_value(draft.day)
        self.load_header(draft.unit_cnes, draft.bond)

        def work() -> CitizenRow:
            with ctx.db.read_only() as session:
                return citizen_row(session, ctx.actor, draft.citizen_id)

        def show(row: CitizenRow) -> None:
            self.set_citizen(row)
            self.appointment_id = draft.appointment_id
            self.focus_first_procedure()

        ctx.ops.run(work, show, parent=self)

    def _citizen_entered(self) -> None:
        typed = self.citizen_edit.text().strip()
        if self._citizen_id is not None:
            self.focus_first_procedure()
            return
        if not typed:
            self.error_labels["citizen_id"].show_message(
                self.tr("Digite o CNS, o CPF ou o nome do cidadão.")
            )
            return
        document = document_error(typed)
        if document:
            self.error_labels["citizen_id"].show_message(document)
            return
        self._search_generation += 1
        generation, ctx = self._search_generation, self._ctx

        def work() -> tuple[int, list[CitizenRow]]:
            with ctx.db.read_only() as session:
                rows = find_citizens(session, ctx.actor, CitizenFilter(text=typed),
                                     limit=CITIZEN_LIMIT)  # fmt: skip
            return generation, rows

        ctx.ops.run(work, lambda result: self._citizens_found(typed, *result), parent=self)

    def _citizens_found(self, typed: str, generation: int, rows: list[CitizenRow]) -> None:
        if generation != self._search_generation:
            return
        digits = only_digits(typed)
        by_document = digits == typed.replace(".", "").replace("-", "").replace(" ", "")
        error = self.error_labels["citizen_id"]
        if not rows:
            error.show_message(
                self.tr("Nenhum cidadão com este CNS/CPF.")
                if by_document
                else self.tr("Nenhum cidadão encontrado com este nome.")
            )
            return
        error.show_message(None)
        if by_document and len(rows) == 1:
            self.set_citizen(rows[0])
            self.focus_first_procedure()
            return
        picker = CitizenPickerDialog(typed, rows, self)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.chosen.connect(lambda row: (self.set_citizen(row), self.focus_first_procedure()))
        picker.rejected.connect(self.citizen_edit.setFocus)
        picker.open()

    def set_citizen(self, row: CitizenRow) -> None:
        self._citizen, self._citizen_id = row, row.id
        self.citizen_edit.setText(format_cns(row.cns) if row.cns else row.cpf or row.name)
        self.citizen_info.setText(citizen_text(row, self._age_day()))
        self.error_labels["citizen_id"].show_message(None)
        self.citizen_chosen.emit()

    # --- procedure lines --------------------------------------------------------------------

    def add_line(self) -> ProcedureLine:
        line = ProcedureLine(self._ctx, len(self.lines), self.competence)
        line.code_edit.returnPressed.connect(lambda: self._code_entered(line))
        line.quantity.installEventFilter(OnEnter(lambda: self._quantity_entered(line), line))
        self.lines.append(line)
        self.lines_box.addWidget(line)
        if len(self.lines) == 1:
            self.procedures_caption.setBuddy(line.code_edit)
        self._fix_tab_order()
        return line

    def _code_entered(self, line: ProcedureLine) -> None:
        if not line.code():
            self.icd10_edit.setFocus()
            return
        line.quantity.setFocus()
        line.quantity.selectAll()

    def _quantity_entered(self, line: ProcedureLine) -> None:
        number = self.lines.index(line)
        following = self.lines[number + 1] if number + 1 < len(self.lines) else self.add_line()
        following.code_edit.setFocus()

    def focus_first_procedure(self) -> None:
        self.lines[0].code_edit.setFocus()

    def _fix_tab_order(self) -> None:
        chain: list[QWidget] = [self.unit_combo, self.professional_combo, self.date_field,
                                self.citizen_edit]  # fmt: skip
        for line in self.lines:
            chain += [line.code_edit, line.quantity]
        chain += [self.icd10_edit, self.type_combo, self.place_combo, self.conduct_combo]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def procedure_inputs(self) -> tuple[tuple[ProcedureInput, ...], list[int]]:
        """The filled lines as service input, and the line number of each (for errors)."""
        filled = [(n, line) for n, line in enumerate(self.lines) if line.code()]
        inputs = tuple(
            ProcedureInput(code=line.code(), quantity=line.quantity.value()) for _, line in filled
        )
        return inputs, [n for n, _ in filled]

    # --- values and errors ------------------------------------------------------------------

    def reset_codes(self) -> None:
        for combo, value in ((self.type_combo, DEFAULT_TYPE), (self.place_combo, DEFAULT_PLACE),
                             (self.conduct_combo, DEFAULT_CONDUCT)):  # fmt: skip
            combo.setCurrentIndex(max(combo.findData(value), 0))

    def collect(self) -> tuple[AttendanceInput | None, dict[str, str], list[int]]:
        """(service input or None, errors found before asking the service, line numbers)."""
        errors: dict[str, str] = {}
        bond, day, citizen = self.bond(), self.attended_on(), self._citizen_id
        if not self.unit_cnes():
            errors["unit_cnes"] = self.tr("Escolha a unidade.")
        if not bond:
            errors["professional_id"] = self.tr("Escolha o profissional.")
        if day is None:
            errors["attended_on"] = self.tr("Informe a data do atendimento (dd/mm/aaaa).")
        if citizen is None:
            errors["citizen_id"] = self.tr("Busque o cidadão pelo CNS, CPF ou nome e tecle Enter.")
        procedures, numbers = self.procedure_inputs()
        if errors or day is None or citizen is None:
            return None, errors, numbers
        professional, cbo = bond.split("|")
        data = AttendanceInput(
            unit_cnes=self.unit_cnes(), professional_id=uuid.UUID(professional), cbo=cbo,
            citizen_id=citizen, attended_on=day, procedures=procedures,
            icd10=self.icd10_edit.code(), place=int(self.place_combo.currentData()),
            attendance_type=int(self.type_combo.currentData()),
            conduct=int(self.conduct_combo.currentData()),
            appointment_id=self.appointment_id,
        )  # fmt: skip
        return data, errors, numbers

    def show_errors(self, errors: Mapping[str, str], numbers: list[int] | None = None) -> None:
        """Each message beside its field; "procedures.N" under the N-th filled line."""
        numbers = numbers if numbers is not None else list(range(len(self.lines)))
        placed: dict[str, str] = {}
        lines: dict[int, str] = {}
        general = []
        for key, message in errors.items():
            head, _, index = key.partition(".")
            if head == "procedures" and index.isdigit() and int(index) < len(numbers):
                lines[numbers[int(index)]] = message
            elif key in self.error_labels:
                placed[key] = message
            else:
                general.append(message)
        for key, label in self.error_labels.items():
            label.show_message(placed.get(key))
        for number, line in enumerate(self.lines):
            line.error_label.show_message(lines.get(number))
        self.general_error.show_message("\n".join(general) or None)
        self._focus_first_error(placed, lines)

    def _focus_first_error(self, placed: Mapping[str, str], lines: Mapping[int, str]) -> None:
        order: list[tuple[bool, QWidget]] = [
            ("professional_id" in placed, self.professional_combo),
            ("attended_on" in placed, self.date_field),
            ("citizen_id" in placed, self.citizen_edit),
        ]
        order += [(n in lines, line.code_edit) for n, line in enumerate(self.lines)]
        order += [("procedures" in placed, self.lines[0].code_edit),
                  ("icd10" in placed, self.icd10_edit)]  # fmt: skip
        target = next((widget for wrong, widget in order if wrong), None)
        if target is not None:
            target.setFocus()

    def clear_errors(self) -> None:
        self.show_errors({})

    def clear_body(self) -> None:
        """Ready for the next ficha: citizen, procedures and CID emptied; header kept."""
        self._forget_citizen()
        self.citizen_edit.clear()
        while len(self.lines) > 1:
            line = self.lines.pop()
            self.lines_box.removeWidget(line)
            line.deleteLater()
        self.lines[0].clear()
        self.icd10_edit.clear()
        self.icd10_edit.description.clear()
        self.reset_codes()
        self.clear_errors()
        self.citizen_edit.setFocus()

    def fill(self, detail: AttendanceDetail) -> None:
        """Pre-fill from a recorded attendance (the correction form)."""
        row = detail.row
        self.select_bond(f"{row.professional_id}|{row.cbo}")
        self.date_field.set_value(row.attended_on)
        self._citizen_id = row.citizen_id
        self.citizen_edit.setText(format_cns(row.citizen_cns) if row.citizen_cns else "")
        self.citizen_info.setText(row.citizen_name)
        for number, procedure in enumerate(row.procedures):
            line = self.lines[number] if number < len(self.lines) else self.add_line()
            line.code_edit.set_code(procedure.code, procedure.name)
            line.quantity.setValue(procedure.quantity)
        icd10 = row.icd10
        self.icd10_edit.setText(f"{icd10[:3]}.{icd10[3:]}" if len(icd10) > 3 else icd10)
        self.icd10_edit.search_now()
        for combo, value in ((self.type_combo, detail.attendance_type),
                             (self.place_combo, detail.place),
                             (self.conduct_combo, detail.conduct)):  # fmt: skip
            combo.setCurrentIndex(max(combo.findData(value), 0))


# --- dialogs --------------------------------------------------------------------------------------


class CorrectionDialog(QDialog):
    """The form pre-filled from an attendance, plus the reason of the correction.

    Signals:
        submitted(object, str): the corrected `AttendanceInput` and the reason; the page runs the
        service and calls `show_errors` or `accept`.
    """

    submitted = Signal(object, str)

    def __init__(self, ctx: AppContext, detail: AttendanceDetail, today: date,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("correction_dialog")
        self.setWindowTitle(self.tr("Corrigir atendimento"))
        self._detail = detail
        self._numbers: list[int] = []
        layout = QVBoxLayout(self)
        note = QLabel(
            self.tr(
                "O atendimento original fica guardado; a correção o substitui na produção. "
                "Altere o que estiver errado e informe o motivo."
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.form = AttendanceForm(ctx, today, self, kept=False)
        layout.addWidget(self.form)
        layout.addLayout(self._build_reason())
        layout.addStretch(1)
        layout.addLayout(self._build_buttons())
        self.form.header_ready.connect(self._header_ready)
        self.form.submit_requested.connect(self.reason.setFocus)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self._submit)
        self.form.load_header(detail.unit_cnes, f"{detail.row.professional_id}|{detail.row.cbo}")
        self.resize(1000, 440)

    def _build_reason(self) -> QGridLayout:
        grid = QGridLayout()
        self.reason = QLineEdit()
        self.reason.setObjectName("field_reason")
        self.reason.setPlaceholderText(self.tr("por que o atendimento está sendo corrigido"))
        self.reason.returnPressed.connect(self._submit)
        caption = QLabel(self.tr("&Motivo da correção:"))
        caption.setBuddy(self.reason)
        self.reason_error = ErrorLabel("reason")
        grid.addWidget(caption, 0, 0)
        grid.addWidget(self.reason, 0, 1)
        grid.addWidget(self.reason_error, 1, 1)
        return grid

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.save_button = _button(self.tr("&Gravar correção (Ctrl+S)"), "save_correction")
        self.cancel_button = _button(self.tr("Cancelar"), "cancel")
        self.save_button.clicked.connect(self._submit)
        self.cancel_button.clicked.connect(self.reject)
        row.addStretch(1)
        row.addWidget(self.save_button)
        row.addWidget(self.cancel_button)
        return row

    def _header_ready(self) -> None:
        self.form.fill(self._detail)
        self.form.focus_first_procedure()

    def _submit(self) -> None:
        data, errors, self._numbers = self.form.collect()
        if len(self.reason.text().strip()) < 5:
            errors["reason"] = self.tr("Explique o motivo da correção (pelo menos 5 letras).")
        if errors or data is None:
            self.show_errors(errors)
            return
        self.save_button.setEnabled(False)
        self.submitted.emit(data, self.reason.text().strip())

    def show_errors(self, errors: Mapping[str, str]) -> None:
        self.save_button.setEnabled(True)
        rest = {key: text for key, text in errors.items() if key != "reason"}
        self.form.show_errors(rest, self._numbers)
        self.reason_error.show_message(errors.get("reason"))
        if "reason" in errors and len(errors) == 1:
            self.reason.setFocus()


class ReasonDialog(QDialog):
    """Ask why (void an attendance, reopen a competence); Enter confirms, Esc gives up.

    Signals:
        confirmed(str): the reason typed.
    """

    confirmed = Signal(str)

    def __init__(self, title: str, question: str, action: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reason_dialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        text = QLabel(question)
        text.setWordWrap(True)
        layout.addWidget(text)
        caption = QLabel(self.tr("&Motivo:"))
        self.reason = QLineEdit()
        self.reason.setObjectName("field_reason")
        caption.setBuddy(self.reason)
        layout.addWidget(caption)
        layout.addWidget(self.reason)
        self.error = ErrorLabel("reason")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.ok_button = _button(action, "confirm")
        back = _button(self.tr("&Voltar"), "back")
        row.addStretch(1)
        row.addWidget(self.ok_button)
        row.addWidget(back)
        layout.addLayout(row)
        self.ok_button.clicked.connect(self._confirm)
        self.reason.returnPressed.connect(self._confirm)
        back.clicked.connect(self.reject)
        self.reason.setFocus()
        self.resize(520, 180)

    def _confirm(self) -> None:
        reason = " ".join(self.reason.text().split())
        if len(reason) < 5:
            self.error.show_message(self.tr("Explique o motivo (pelo menos 5 letras)."))
            return
        self.confirmed.emit(reason)
        self.accept()
