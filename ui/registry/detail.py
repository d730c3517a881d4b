"""A citizen's record as the reception sees it: the data, read-only and formatted, and the
"Histórico" tab with who created, changed, opened or printed it (the audit trail, LGPD art. 37).

"Editar" opens the citizen form; "Imprimir ficha" issues the ficha cadastral (a verifiable PDF,
audited as a print) and shows it in the PDF preview. Opening the record is itself audited by
`get_citizen`, which is why the record is read through `open_citizen_detail` in a worker.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.brazil.ibge import municipality_name, municipality_uf
from app.brazil.identifiers import format_cep, format_cns, format_cpf, format_phone
from app.installation.service import local_zone
from app.registry.queries import CitizenDetail, get_citizen
from app.registry.reports import citizen_record_pdf
from app.security.audit import AuditRow, history_of
from ui.context import AppContext
from ui.labels import field_names
from ui.registry.forms import open_citizen_form
from ui.widgets.pdf_preview import issue_and_preview


def open_citizen_detail(ctx: AppContext, citizen_id: uuid.UUID, parent: QWidget) -> None:
    """Read the record in a worker (the read is audited), then show it."""

    def read() -> CitizenDetail:
        with ctx.db.unit_of_work(ctx.actor.username) as session:
            return get_citizen(session, ctx.actor, citizen_id)

    def show(detail: CitizenDetail) -> None:
        if shiboken6.isValid(parent):
            CitizenDetailDialog(ctx, detail, parent).open()

    ctx.ops.run(read, show, parent=parent)


def _race_text(detail: CitizenDetail) -> str:
    """ "Indígena — etnia 0001" when an etnia is recorded, otherwise the race/colour alone."""
    if not detail.ethnicity:
        return detail.race.label
    return f"{detail.race.label} — etnia {detail.ethnicity}"


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class CitizenDetailDialog(QDialog):
    """One citizen's record, read-only, with its history, "Editar" and "Imprimir ficha"."""

    def __init__(
        self, ctx: AppContext, detail: CitizenDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("citizen_detail")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ctx = ctx
        self.detail = detail
        self._values: dict[str, QLabel] = {}
        self._build_ui()
        self._show_detail(detail)
        self.resize(720, 560)

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_data_tab(), self.tr("&Dados"))
        self.tabs.addTab(self._build_history_tab(), self.tr("&Histórico"))
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._build_buttons())

    def _build_data_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        rows = (
            ("name", self.tr("Nome completo")), ("social_name", self.tr("Nome social")),
            ("cns", self.tr("CNS")), ("cpf", self.tr("CPF")),
            ("birth_date", self.tr("Data de nascimento")), ("sex", self.tr("Sexo")),
            ("race", self.tr("Raça/cor")), ("mother_name", self.tr("Nome da mãe")),
            ("phone", self.tr("Telefone")), ("address", self.tr("Endereço")),
            ("district", self.tr("Bairro")), ("cep", self.tr("CEP")),
            ("municipality", self.tr("Município")), ("unit_cnes", self.tr("Unidade (CNES)")),
            ("updated", self.tr("Cadastro")),
        )  # fmt: skip
        for key, label in rows:
            value = QLabel()
            value.setObjectName(f"value_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._values[key] = value
            form.addRow(label + ":", value)
        return page

    def _build_history_tab(self) -> QWidget:
        self.history = QTableWidget(0, 4)
        self.history.setObjectName("history")
        self.history.setHorizontalHeaderLabels(
            [self.tr("Data/hora"), self.tr("Usuário"), self.tr("Ação"), self.tr("Detalhe")]
        )
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.verticalHeader().hide()
        header = self.history.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return self.history

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.edit_button = QPushButton(self.tr("&Editar"))
        self.edit_button.setObjectName("edit")
        self.edit_button.clicked.connect(self.edit)
        self.edit_button.setVisible(self._ctx.actor.can("registry.write"))
        self.print_button = QPushButton(self.tr("Imprimir &ficha"))
        self.print_button.setObjectName("print_record")
        self.print_button.clicked.connect(self.print_record)
        self.print_button.setVisible(self._ctx.actor.can("registry.print"))
        close = QPushButton(self.tr("Fechar"))
        close.clicked.connect(self.accept)
        close.setDefault(True)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_record)
        row.addWidget(self.edit_button)
        row.addWidget(self.print_button)
        row.addStretch(1)
        row.addWidget(close)
        return row

    # --- showing ----------------------------------------------------------------------------

    def _show_detail(self, detail: CitizenDetail) -> None:
        if not shiboken6.isValid(self):
            return  # closed while the worker ran
        self.detail = detail
        shown = detail.social_name or detail.name
        self.setWindowTitle(self.tr("Cidadão — {name}").format(name=shown))
        self.title.setText(shown)
        for key, text in self._texts(detail).items():
            self._values[key].setText(text or "—")
        self._load_history()

    def _texts(self, detail: CitizenDetail) -> dict[str, str]:
        today = self._ctx.db.clock.now().astimezone(local_zone(self._ctx.installation)).date()
        born = self.tr("{date} ({age} anos)").format(
            date=detail.birth_date.strftime("%d/%m/%Y"), age=_age(detail.birth_date, today)
        )
        return {
            "name": detail.name, "social_name": detail.social_name,
            "cns": format_cns(detail.cns), "cpf": format_cpf(detail.cpf), "birth_date": born,
            "sex": detail.sex.label, "mother_name": detail.mother_name,
            "race": _race_text(detail),
            "phone": format_phone(detail.phone), "address": self._address(detail),
            "district": detail.district, "cep": format_cep(detail.cep),
            "municipality": self._municipality(detail.municipality_ibge),
            "unit_cnes": detail.unit_cnes, "updated": self._updated(detail),
        }  # fmt: skip

    def _address(self, detail: CitizenDetail) -> str:
        parts = [detail.street, detail.number, detail.complement]
        return ", ".join(part for part in parts if part)

    def _municipality(self, code: str) -> str:
        name = municipality_name(code) if code else None
        if not name:
            return code
        return self.tr("{name}/{uf} (IBGE {code})").format(
            name=name, uf=municipality_uf(code) or "", code=code
        )

    def _updated(self, detail: CitizenDetail) -> str:
        return self.tr("incluído em {created}, alterado em {updated} (versão {version})").format(
            created=self._local(detail.created_at),
            updated=self._local(detail.updated_at),
            version=detail.version,
        )

    def _local(self, instant: datetime | None) -> str:
        if instant is None:
            return "—"
        if instant.tzinfo is None:  # SQLite hands back naive UTC
            instant = instant.replace(tzinfo=UTC)
        return instant.astimezone(local_zone(self._ctx.installation)).strftime("%d/%m/%Y %H:%M")

    # --- history ----------------------------------------------------------------------------

    def _load_history(self) -> None:
        ctx, citizen_id = self._ctx, str(self.detail.id)

        def read() -> list[AuditRow]:
            with ctx.db.read_only() as session:
                return history_of(session, ctx.actor, "citizen", citizen_id)

        ctx.ops.run(read, self._show_history, parent=self)

    def _show_history(self, rows: list[AuditRow]) -> None:
        if not shiboken6.isValid(self):
            return  # closed while the worker ran
        self.history.setRowCount(len(rows))
        for number, row in enumerate(rows):
            texts = (self._local(row.at), row.username, row.action_label, self._change(row))
            for column, text in enumerate(texts):
                self.history.setItem(number, column, QTableWidgetItem(text))

    def _change(self, row: AuditRow) -> str:
        fields = row.detail.get("fields") or []
        return field_names(fields)

    # --- actions ----------------------------------------------------------------------------

    def edit(self) -> None:
        open_citizen_form(self._ctx, self, self.detail, on_saved=lambda _saved: self.reload())

    def reload(self) -> None:
        """Read the record again (after an edit) and show it."""
        ctx, citizen_id = self._ctx, self.detail.id

        def read() -> CitizenDetail:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return get_citizen(session, ctx.actor, citizen_id)

        ctx.ops.run(read, self._show_detail, parent=self)

    def print_record(self) -> None:
        """Issue the ficha cadastral in a worker and preview it."""
        if not self._ctx.actor.can("registry.print") or not self.print_button.isEnabled():
            return
        ctx, citizen_id = self._ctx, self.detail.id
        issue_and_preview(
            ctx,
            self,
            self.print_button,
            lambda session: citizen_record_pdf(session, ctx.actor, citizen_id),
        )
