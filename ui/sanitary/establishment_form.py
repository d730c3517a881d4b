"""The establishment form ("Novo estabelecimento" / "Editar estabelecimento").

Three columns that fit a 1366×768 laptop: identification (CNPJ or CPF with its mask, names,
responsible people, contacts, VISA team), address (with bairro) and notes, and the activities with
the live risk. Typing a CNAE shows its description and rule from the risk table (read once when
the form opens, with the municipal rules applied); "Adicionar" (or Enter) puts it in the list, the
first one being the main activity. A "depende de informação" CNAE shows its questions with Sim/Não
buttons. The label "Grau de risco: III – alto risco" and its reason follow every change, computed
by the same pure rules the service applies on saving (`app.sanitary.risk`).

Keyboard: fields in reading order, Enter moves on, Ctrl+S saves, Esc cancels (asking first when
something was typed). Each field checks itself on leaving; after saving, the service's messages
are placed beside their fields. The save runs in `ctx.ops`; on success the form emits
`ctx.bus.changed("establishment")`.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.brazil.identifiers import INPUT_MASKS, clean_cnpj, only_digits
from app.errors import DuplicateError, ValidationError
from app.registry.units import list_districts
from app.sanitary.enums import HolderKind, RiskLevel, RiskRule
from app.sanitary.establishment_queries import EstablishmentDetail, list_teams
from app.sanitary.establishments import (
    ActivityInput,
    EstablishmentInput,
    EstablishmentSaved,
    create_establishment,
    default_team,
    document_error,
    email_error,
    update_establishment,
)
from app.sanitary.risk import CnaeInfo, RiskResult, clean_cnae, establishment_risk, format_cnae
from app.sanitary.risk_table import lookup_many
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.address import address_rows
from ui.widgets.discard import confirm_discard
from ui.widgets.fields import CheckedLineEdit, DocumentField, ErrorLabel, FormLayout

RISK_COLORS = {RiskLevel.LOW: "#1b5e20", RiskLevel.MEDIUM: "#8a5a00", RiskLevel.HIGH: "#b3261e"}
TEXT_FIELDS = (
    "legal_name", "trade_name", "legal_representative", "technical_name", "technical_council",
    "email", "street", "number", "complement",
)  # fmt: skip


@dataclass(frozen=True)
class FormChoices:
    """Read once, in a worker, before the form opens."""

    districts: list[tuple[str, str]]
    teams: list[str]
    default_team: str
    cnaes: dict[str, CnaeInfo]


def load_form_choices(ctx: AppContext) -> FormChoices:
    """Bairros, VISA teams, the default team and the effective risk table (opens a session)."""
    with ctx.db.read_only() as session:
        return FormChoices(
            list_districts(session),
            list_teams(session),
            default_team(session, ctx.actor),
            lookup_many(session, None),
        )


def open_establishment_form(
    ctx: AppContext,
    parent: QWidget,
    detail: EstablishmentDetail | None = None,
    on_saved: Callable[[EstablishmentSaved], None] | None = None,
) -> None:
    """Load the choices in a worker, then open the form (new establishment when no detail)."""

    def show(choices: FormChoices) -> None:
        if not shiboken6.isValid(parent):
            return
        dialog = EstablishmentFormDialog(ctx, choices, detail, parent)
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        dialog.open()

    ctx.ops.run(lambda: load_form_choices(ctx), show, parent=parent)


def save_establishment(
    ctx: AppContext, establishment_id: uuid.UUID | None, data: EstablishmentInput
) -> EstablishmentSaved:
    """Create or update in one unit of work (runs in the worker)."""
    with ctx.db.unit_of_work(ctx.actor.username) as session:
        if establishment_id is None:
            return create_establishment(session, ctx.actor, data)
        return update_establishment(session, ctx.actor, establishment_id, data)


def _optional(mask: str) -> str:
    """Required mask characters made optional, so leaving a half-typed field still validates."""
    body, _, blank = mask.partition(";")
    return body.replace("9", "0").replace("N", "n") + ";" + (blank or "_")


def _bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class HolderDocumentField(CheckedLineEdit):
    """CNPJ (letters allowed, IN RFB 2.229/2024) or CPF, masked by the chosen kind."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("document", parent)
        self.kind = HolderKind.CNPJ
        self.set_kind(HolderKind.CNPJ)
        width = self.fontMetrics().horizontalAdvance("WW.WWW.WWW/WWWW-88")
        self.setFixedWidth(width + 24)

    def set_kind(self, kind: HolderKind) -> None:
        self.kind = kind
        mask = INPUT_MASKS["cnpj"] if kind is HolderKind.CNPJ else INPUT_MASKS["cpf"]
        self.setInputMask(_optional(mask))
        self.clear()
        self.set_error(None)

    def value(self) -> str:
        """Storage form: CNPJ upper-case letters and digits, CPF digits."""
        text = self.text()
        return (
            clean_cnpj(text).replace("_", "") if self.kind is HolderKind.CNPJ else only_digits(text)
        )

    def set_value(self, kind: HolderKind, value: str) -> None:
        self.set_kind(kind)
        self.setText(value)

    def current_error(self) -> str | None:
        value = self.value()
        return document_error(self.kind, value) if value else None

    def _home_if_empty(self) -> None:
        if not self.value():
            self.setCursorPosition(0)


class ActivityEditor(QFrame):
    """One CNAE in the list: description, rule, main marker, questions with Sim/Não."""

    changed = Signal()
    remove_requested = Signal(str)
    main_requested = Signal(str)

    def __init__(self, info: CnaeInfo, answers: dict[str, bool], parent: QWidget | None = None):
        super().__init__(parent)
        self.info = info
        self.setObjectName(f"activity_{info.cnae}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._groups: list[QButtonGroup] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addLayout(self._build_header())
        for position, question in enumerate(self._questions(), start=1):
            layout.addWidget(self._build_question(position, question, answers.get(str(position))))

    def _questions(self) -> tuple[str, ...]:
        return () if self.info.overridden else self.info.questions

    def _build_header(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.title = _bold(QLabel(f"{self.info.label} — {self.info.description}"))
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        row = QHBoxLayout()
        self.rule_label = QLabel(self._rule_text())
        self.rule_label.setObjectName("activity_rule")
        self.rule_label.setWordWrap(True)
        row.addWidget(self.rule_label, 1)
        self.main_button = QPushButton(self.tr("Tornar principal"))
        self.main_button.setObjectName("make_main")
        self.main_button.clicked.connect(lambda: self.main_requested.emit(self.info.cnae))
        remove = QPushButton(self.tr("Remover"))
        remove.setObjectName("remove_activity")
        remove.setToolTip(self.tr("Remover esta atividade"))
        remove.clicked.connect(lambda: self.remove_requested.emit(self.info.cnae))
        for button in (self.main_button, remove):
            button.setAutoDefault(False)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(row)
        return column

    def _rule_text(self) -> str:
        if self.info.overridden:
            return self.tr("Regra municipal: grau {level}. {reason}").format(
                level=self.info.rule.value, reason=self.info.override_reason
            )
        if self.info.rule is RiskRule.DEPENDS:
            return self.tr("Depende de informação: responda às perguntas (qualquer SIM → III).")
        return self.tr("Tabela de risco: grau {label}").format(label=self.info.rule.label)

    def _build_question(self, position: int, text: str, answer: bool | None) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(12, 0, 0, 0)
        label = QLabel(f"{position}. {text}")
        label.setWordWrap(True)
        yes, no = QRadioButton(self.tr("Sim")), QRadioButton(self.tr("Não"))
        yes.setObjectName(f"q{position}_yes")
        no.setObjectName(f"q{position}_no")
        group = QButtonGroup(holder)
        group.addButton(yes, 1)
        group.addButton(no, 0)
        yes.setChecked(answer is True)
        no.setChecked(answer is False)
        group.idToggled.connect(self._toggled)
        self._groups.append(group)
        row.addWidget(label, 1)
        row.addWidget(yes)
        row.addWidget(no)
        return holder

    def _toggled(self, _id: int, checked: bool) -> None:
        if checked:  # each click toggles two buttons: count the one switched on
            self.changed.emit()

    def set_main(self, main: bool) -> None:
        self.main_button.setVisible(not main)
        prefix = self.tr("Principal · ") if main else ""
        self.title.setText(f"{prefix}{self.info.label} — {self.info.description}")

    def answers(self) -> dict[str, bool]:
        return {
            str(n): group.checkedId() == 1
            for n, group in enumerate(self._groups, start=1)
            if group.checkedId() in (0, 1)
        }

    def answer(self, position: int, yes: bool) -> None:
        """Answer question `position` (1-based), as a click on Sim/Não would."""
        self._groups[position - 1].button(1 if yes else 0).setChecked(True)

    def focus_widgets(self) -> list[QWidget]:
        found: list[QWidget] = []
        for group in self._groups:
            found.extend(group.buttons())
        return found


class ActivitiesBox(QGroupBox):
    """The CNAE entry, the list of activities and the live risk label with its reason."""

    changed = Signal()

    def __init__(self, cnaes: dict[str, CnaeInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Atividades (CNAE) e grau de risco"))
        self._cnaes = cnaes
        self.editors: list[ActivityEditor] = []
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_entry())
        self.preview = QLabel()
        self.preview.setObjectName("cnae_preview")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        self.error_label = ErrorLabel("activities")
        layout.addWidget(self.error_label)
        layout.addWidget(self._build_list(), 1)
        layout.addWidget(self._build_risk())
        self.update_risk()

    def _build_entry(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel(self.tr("C&NAE"))
        self.cnae_edit = QLineEdit()
        self.cnae_edit.setObjectName("cnae_entry")
        self.cnae_edit.setInputMask("0000-0/00;_")
        self.cnae_edit.setFixedWidth(
            self.cnae_edit.fontMetrics().horizontalAdvance("8888-8/88") + 24
        )
        self.cnae_edit.setToolTip(self.tr("Digite o código CNAE e tecle Enter para adicionar"))
        label.setBuddy(self.cnae_edit)
        self.cnae_edit.textEdited.connect(lambda _text: self._show_preview())
        self.cnae_edit.returnPressed.connect(self.add_typed)
        self.add_button = QPushButton(self.tr("Adicionar"))
        self.add_button.setObjectName("add_cnae")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_typed)
        row.addWidget(label)
        row.addWidget(self.cnae_edit)
        row.addWidget(self.add_button)
        row.addStretch(1)
        return row

    def _build_list(self) -> QScrollArea:
        self._list_holder = QWidget()
        self._list = QVBoxLayout(self._list_holder)
        self._list.setContentsMargins(0, 0, 0, 0)
        self._list.addStretch(1)
        self.empty_label = QLabel(
            self.tr("Nenhuma atividade. A primeira adicionada é a principal.")
        )
        self.empty_label.setEnabled(False)
        self._list.insertWidget(0, self.empty_label)
        scroll = QScrollArea()
        scroll.setObjectName("activities_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._list_holder)
        return scroll

    def _build_risk(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("risk_frame")
        frame.setStyleSheet("QFrame#risk_frame { background: #f4f1ea; border-radius: 4px; }")
        column = QVBoxLayout(frame)
        column.setContentsMargins(8, 6, 8, 6)
        self.risk_label = _bold(QLabel(), 1.2)
        self.risk_label.setObjectName("risk_label")
        self.reason_label = QLabel()
        self.reason_label.setObjectName("risk_reason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Room for a long reason (a question quoted in full): wrapped labels in a dialog's
        # nested layouts are otherwise given one line.
        self.reason_label.setMinimumHeight(self.reason_label.fontMetrics().lineSpacing() * 4)
        self.reason_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.risk_label)
        column.addWidget(self.reason_label)
        return frame

    # --- typing and adding ------------------------------------------------------------------

    def _typed(self) -> str:
        return clean_cnae(self.cnae_edit.text())

    def _show_preview(self) -> None:
        code = self._typed()
        info = self._cnaes.get(code)
        if len(code) < 7:
            self.preview.setText("")
        elif info is None:
            self.preview.setText(self._missing(code))
        else:
            self.preview.setText(f"{info.label} — {info.description} · {info.rule.label}")
        missing = len(code) == 7 and info is None
        self.preview.setStyleSheet("color: #b3261e;" if missing else "")

    def _missing(self, code: str) -> str:
        return self.tr("CNAE {cnae} não está na tabela de risco vigente.").format(
            cnae=format_cnae(code)
        )

    def add_typed(self) -> None:
        code = self._typed()
        if len(code) != 7:
            self.error_label.show_message(self.tr("O CNAE deve ter 7 dígitos (ex.: 5620-1/04)."))
            return
        if code not in self._cnaes:
            self.error_label.show_message(self._missing(code))
            return
        if any(editor.info.cnae == code for editor in self.editors):
            self.error_label.show_message(
                self.tr("CNAE {cnae} já está na lista.").format(cnae=format_cnae(code))
            )
            return
        self.error_label.show_message(None)
        self.add(code, {})
        self.cnae_edit.clear()
        self.preview.setText("")
        self.cnae_edit.setFocus()

    def add(self, code: str, answers: dict[str, bool]) -> ActivityEditor:
        """Put a CNAE (known to the table) in the list with its answers."""
        info = self._cnaes.get(code) or CnaeInfo(
            code, self.tr("(fora da tabela vigente)"), RiskRule.LOW
        )
        editor = ActivityEditor(info, answers)
        editor.changed.connect(self.update_risk)
        editor.remove_requested.connect(self.remove)
        editor.main_requested.connect(self.make_main)
        self.editors.append(editor)
        self._list.insertWidget(self._list.count() - 1, editor)
        editor.show()  # a widget added to a visible layout is otherwise shown only later
        self._refresh()
        return editor

    def remove(self, code: str) -> None:
        editor = next(e for e in self.editors if e.info.cnae == code)
        self.editors.remove(editor)
        editor.hide()
        editor.deleteLater()
        self._refresh()

    def make_main(self, code: str) -> None:
        editor = next(e for e in self.editors if e.info.cnae == code)
        self.editors.remove(editor)
        self.editors.insert(0, editor)
        self._list.removeWidget(editor)
        self._list.insertWidget(1, editor)
        self._refresh()

    def _refresh(self) -> None:
        self.empty_label.setVisible(not self.editors)
        for number, editor in enumerate(self.editors):
            editor.set_main(number == 0)
        self.update_risk()

    # --- risk -------------------------------------------------------------------------------

    def result(self) -> RiskResult:
        known = [(e.info, e.answers()) for e in self.editors if e.info.cnae in self._cnaes]
        return establishment_risk(known)

    def update_risk(self) -> None:
        result = self.result()
        if result.level is None:
            self.risk_label.setText(self.tr("Grau de risco: —"))
            self.risk_label.setStyleSheet("")
        else:
            self.risk_label.setText(self.tr("Grau de risco: {label}").format(label=result.label))
            self.risk_label.setStyleSheet(f"color: {RISK_COLORS[result.level]};")
        self.reason_label.setText(result.reason)
        self.changed.emit()

    def activities(self) -> tuple[ActivityInput, ...]:
        return tuple(ActivityInput(e.info.cnae, e.answers()) for e in self.editors)

    def editor(self, code: str) -> ActivityEditor:
        return next(e for e in self.editors if e.info.cnae == clean_cnae(code))


class EstablishmentFormDialog(QDialog):
    """Create (detail None) or edit an establishment.

    Signals:
        saved(EstablishmentSaved): after a successful save, before the dialog closes.
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        choices: FormChoices,
        detail: EstablishmentDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("establishment_form")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ctx = ctx
        self._choices = choices
        self._establishment_id = detail.id if detail else None
        self._saving = False
        self._discarding = False
        self.fields: dict[str, QWidget] = {}
        self._build_ui(detail)
        if detail is not None:
            self._fill(detail)
        else:
            self._set_combo("team", choices.default_team)
        self._initial = self._snapshot()
        self.fields["document"].setFocus()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self, detail: EstablishmentDetail | None) -> None:
        title = (
            self.tr("Novo estabelecimento")
            if detail is None
            else self.tr("Editar estabelecimento — {name}").format(
                name=detail.trade_name or detail.legal_name
            )
        )
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(_bold(QLabel(title), 1.3))
        layout.addWidget(self._build_banner())
        columns = QHBoxLayout()
        columns.addWidget(self._build_identity(), 10)
        columns.addWidget(self._build_address(), 9)
        self.activities = ActivitiesBox(self._choices.cnaes)
        columns.addWidget(self.activities, 12)
        self.activities.changed.connect(self._build_tab_order)
        layout.addLayout(columns, 1)
        layout.addLayout(self._build_buttons())
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save)
        self._build_tab_order()
        self.resize(1280, 660)

    def _build_banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setObjectName("form_banner")
        self.banner.setStyleSheet(
            "QFrame#form_banner { background: #fdecea; border: 1px solid #f2b8b5;"
            " border-radius: 4px; }"
        )
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.form_error = ErrorLabel("form")
        row.addWidget(self.form_error, 1)
        self.banner.hide()
        return self.banner

    def _build_identity(self) -> QGroupBox:
        box = QGroupBox(self.tr("Identificação"))
        self._identity = form = FormLayout(box)
        form.addRow(self.tr("Tipo"), self._build_kind())
        self.document = HolderDocumentField()
        self._add(form, "document", self.tr("CNPJ/CP&F"), self.document)
        self._add(form, "legal_name", self.tr("&Razão social"), self._line(150))
        self._add(form, "trade_name", self.tr("Nome &fantasia"), self._line(150))
        self._add(form, "legal_representative", self.tr("Res&p. legal"), self._line(120))
        self._add(form, "technical_name", self.tr("Resp. &técnico"), self._line(120))
        self._add(form, "technical_council", self.tr("Co&nselho/registro"), self._line(40))
        self._add(form, "phone", self.tr("Tele&fone"), DocumentField("phone"))
        self._add(form, "email", self.tr("&E-mail"), self._line(120))
        self._add(form, "team", self.tr("E&quipe VISA"), self._team_combo())
        email = self.fields["email"]
        assert isinstance(email, QLineEdit)
        email.editingFinished.connect(
            lambda: self._identity.error_labels["email"].show_message(email_error(email.text()))
        )
        return box

    def _build_kind(self) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        self.cnpj_radio = QRadioButton(self.tr("CNPJ"))
        self.cnpj_radio.setObjectName("kind_cnpj")
        self.cpf_radio = QRadioButton(self.tr("CPF (pessoa física)"))
        self.cpf_radio.setObjectName("kind_cpf")
        self.cnpj_radio.setChecked(True)
        self.cpf_radio.toggled.connect(self._kind_changed)
        row.addWidget(self.cnpj_radio)
        row.addWidget(self.cpf_radio)
        row.addStretch(1)
        return holder

    def _build_address(self) -> QGroupBox:
        box = QGroupBox(self.tr("Endereço e observações"))
        self._address = form = FormLayout(box)
        for name, label, widget in address_rows(self._choices.districts, self.tr("C&omplemento")):
            self._add(form, name, label, widget)
        notes = QPlainTextEdit()
        notes.setTabChangesFocus(True)
        notes.setFixedHeight(notes.fontMetrics().lineSpacing() * 8)
        notes.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        notes.setObjectName("field_notes")
        self._add(form, "notes", self.tr("Observa&ções"), notes)
        return box

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        hint = QLabel(self.tr("Enter: próximo campo · Ctrl+S: salvar · Esc: cancelar"))
        hint.setEnabled(False)
        self.save_button = QPushButton(self.tr("Salvar"))
        self.save_button.setObjectName("save")
        self.save_button.setToolTip(self.tr("Salvar (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(self.tr("Cancelar"))
        cancel.setToolTip(self.tr("Cancelar (Esc)"))
        cancel.clicked.connect(self.reject)
        for button in (self.save_button, cancel):
            button.setAutoDefault(False)
        row.addWidget(hint, 1)
        row.addWidget(self.save_button)
        row.addWidget(cancel)
        self._buttons = (self.save_button, cancel)
        return row

    def _build_tab_order(self) -> None:
        """Reading order, the answers of the activities included (rebuilt as they change)."""
        answers = [w for editor in self.activities.editors for w in editor.focus_widgets()]
        chain = [self.cnpj_radio, *self.fields.values(), self.activities.cnae_edit,
                 self.activities.add_button, *answers, *self._buttons]  # fmt: skip
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _add(self, form: FormLayout, name: str, label: str, widget: QWidget) -> None:
        form.add_field(name, label, widget)
        self.fields[name] = widget

    def _line(self, max_length: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setMaxLength(max_length)
        if max_length < 40:
            edit.setFixedWidth(edit.fontMetrics().averageCharWidth() * (max_length + 4))
        return edit

    def _team_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItem("")
        combo.addItems(self._choices.teams)
        combo.setToolTip(self.tr("A equipe que recebe o estabelecimento no notebook de campo"))
        return combo

    def _kind_changed(self) -> None:
        kind = HolderKind.CPF if self.cpf_radio.isChecked() else HolderKind.CNPJ
        if kind is not self.document.kind:
            self.document.set_kind(kind)

    # --- reading and filling ----------------------------------------------------------------

    def _text(self, name: str) -> str:
        widget = self.fields[name]
        if isinstance(widget, DocumentField):
            return widget.digits()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QComboBox):
            return widget.currentText() if widget.isEditable() else str(widget.currentData() or "")
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def collect(self) -> EstablishmentInput:
        """What the form holds now, as the service's input."""
        texts = {name: self._text(name) for name in TEXT_FIELDS}
        return EstablishmentInput(
            holder_kind=self.document.kind, document=self.document.value(),
            cep=self._text("cep"), phone=self._text("phone"), notes=self._text("notes"),
            district_id=self._text("district_id"), team=self._text("team").strip(),
            activities=self.activities.activities(), **texts,
        )  # fmt: skip

    def _snapshot(self) -> tuple[object, ...]:
        return (self.collect(),)

    def is_modified(self) -> bool:
        return self._snapshot() != self._initial

    def _set_combo(self, name: str, value: str) -> None:
        widget = self.fields[name]
        assert isinstance(widget, QComboBox)
        if widget.isEditable():
            widget.setCurrentText(value)
        else:
            widget.setCurrentIndex(max(widget.findData(value), 0))

    def _fill(self, detail: EstablishmentDetail) -> None:
        self.cpf_radio.setChecked(detail.holder_kind is HolderKind.CPF)
        self.document.set_value(detail.holder_kind, detail.document)
        for name in TEXT_FIELDS:
            widget = self.fields[name]
            assert isinstance(widget, QLineEdit)
            widget.setText(getattr(detail, name))
        for name in ("cep", "phone"):
            field = self.fields[name]
            assert isinstance(field, DocumentField)
            field.set_digits(getattr(detail, name))
        notes = self.fields["notes"]
        assert isinstance(notes, QPlainTextEdit)
        notes.setPlainText(detail.notes)
        self._set_combo("district_id", detail.district_id)
        self._set_combo("team", detail.team)
        for activity in detail.activities:
            answers = {
                str(q.position): q.answer for q in activity.questions if q.answer is not None
            }
            self.activities.add(activity.cnae, answers)

    # --- saving -----------------------------------------------------------------------------

    def _local_errors(self) -> dict[str, str]:
        found: dict[str, str] = {}
        message = document_error(self.document.kind, self.document.value())
        if message:
            found["document"] = message
        for name in ("cep", "phone"):
            field = self.fields[name]
            assert isinstance(field, DocumentField)
            message = field.validate()
            if message:
                found[name] = message
        return found

    def save(self) -> None:
        """Check locally, then create or update through the service in a worker."""
        if self._saving:
            return
        local = self._local_errors()
        if local:
            self.show_errors(local)
            return
        self._set_saving(True)
        data, establishment_id = self.collect(), self._establishment_id
        self._ctx.ops.run(
            lambda: save_establishment(self._ctx, establishment_id, data),
            self._saved,
            self._save_failed,
            parent=self,
        )

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        self.save_button.setText(self.tr("Salvando…") if saving else self.tr("Salvar"))

    def _saved(self, result: EstablishmentSaved) -> None:
        self._ctx.bus.changed.emit("establishment")
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        self.saved.emit(result)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        if isinstance(exc, (DuplicateError, ValidationError)):
            self.show_errors(exc.errors)
        else:
            show_error(self, exc)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field (the rest at the top); focus the first one."""
        rest = self._identity.show_errors(errors)
        rest = self._address.show_errors(rest)
        self.document.set_error(errors.get("document"))
        self.activities.error_label.show_message(rest.pop("activities", None))
        self.form_error.show_message(" ".join(rest.values()))
        self.banner.setVisible(bool(rest))
        first = next((name for name in self.fields if name in errors), None)
        if first is not None:
            self.fields[first].setFocus()
        elif "activities" in errors:
            self.activities.cnae_edit.setFocus()

    # --- closing ----------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc / Cancelar: ask before throwing typed data away."""
        if self._saving:
            return
        if self._discarding or not self.is_modified():
            super().reject()
            return
        confirm_discard(self, self._discard)

    def _discard(self) -> None:
        self._discarding = True
        self.reject()
