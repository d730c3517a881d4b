"""The detail of the selected establishment on the "Estabelecimentos" page, in tabs.

Dados (the register), atividades with the risk and its reason, inspeções, documentos and
licenças (vigente, vencida or revogada), filled from one `EstablishmentDetail` read by the page.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from app.brazil.identifiers import format_cep, format_phone
from app.sanitary.establishment_queries import (
    ActivityRow,
    DocumentRow,
    EstablishmentDetail,
    InspectionRow,
    LicenceRow,
)
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.sanitary.establishment_activities import RISK_COLORS
from ui.sanitary.establishment_list import day_text
from ui.widgets.tables import rows_table


class EstablishmentDetailTabs(QTabWidget):
    """The tabs that show one establishment: dados, atividades e risco, inspeções, documentos
    and licenças."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("establishment_detail")
        self.data_tab = QWidget()
        self._data = QFormLayout(self.data_tab)
        self._data.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.addTab(self.data_tab, self.tr("Dados"))
        self.addTab(self._build_activities_tab(), self.tr("Atividades e risco"))
        self.inspections_model = RowsModel[InspectionRow]([
            Column(self.tr("Data"), lambda r: day_text(r.day)),
            Column(self.tr("Motivo"), lambda r: r.reason.label),
            Column(self.tr("Situação"), lambda r: r.status.label),
            Column(self.tr("Resultado"), lambda r: r.outcome.label if r.outcome else "—"),
            Column(self.tr("Fiscal"), lambda r: r.inspector or "—"),
        ], self)  # fmt: skip
        self.documents_model = RowsModel[DocumentRow]([
            Column(self.tr("Documento"), lambda r: r.kind_label),
            Column(self.tr("Número"), lambda r: r.number_label),
            Column(self.tr("Emitido em"), lambda r: day_text(r.issued_on)),
            Column(self.tr("Situação"), lambda r: self.tr("Cancelado") if r.cancelled else
                   self.tr("Válido")),
        ], self)  # fmt: skip
        self.licences_model = RowsModel[LicenceRow]([
            Column(self.tr("Número"), lambda r: r.number_label),
            Column(self.tr("Emitida em"), lambda r: day_text(r.issued_on)),
            Column(self.tr("Validade"), lambda r: day_text(r.valid_until)),
            Column(self.tr("Tipo"), lambda r: self.tr("Provisória") if r.provisional else
                   self.tr("Definitiva")),
            Column(self.tr("Situação"), self._licence_state),
        ], self)  # fmt: skip
        self.addTab(rows_table(self.inspections_model, "inspections_table"), self.tr("Inspeções"))
        self.addTab(rows_table(self.documents_model, "documents_table"), self.tr("Documentos"))
        self.addTab(rows_table(self.licences_model, "licences_table"), self.tr("Licenças"))

    def _licence_state(self, row: LicenceRow) -> str:
        if row.revoked:
            return self.tr("Revogada")
        return self.tr("Vencida") if row.valid_until < self._ctx.today() else self.tr("Vigente")

    def _build_activities_tab(self) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        self.risk_headline = QLabel()
        self.risk_headline.setObjectName("risk_headline")
        font = QFont(self.risk_headline.font())
        font.setBold(True)
        self.risk_headline.setFont(font)
        self.risk_reason = QLabel()
        self.risk_reason.setObjectName("risk_reason")
        self.risk_reason.setWordWrap(True)
        self.risk_reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.activities_model = RowsModel[ActivityRow]([
            Column(self.tr("CNAE"), lambda r: r.cnae_label + (self.tr(" (principal)") if r.main
                                                               else "")),
            Column(self.tr("Descrição"), lambda r: r.description),
            Column(self.tr("Grau"), lambda r: r.level.value if r.level else "—"),
            Column(self.tr("Motivo"), lambda r: r.reason),
        ], self)  # fmt: skip
        column.addWidget(self.risk_headline)
        column.addWidget(self.risk_reason)
        column.addWidget(rows_table(self.activities_model, "activities_table"), 1)
        return holder

    def set_detail(self, detail: EstablishmentDetail | None) -> None:
        """Show `detail` in every tab; all empty for None."""
        self._fill_data(detail)
        self._fill_activities(detail)
        self.inspections_model.set_rows(detail.inspections if detail else [])
        self.documents_model.set_rows(detail.documents if detail else [])
        self.licences_model.set_rows(detail.licences if detail else [])

    def _fill_data(self, detail: EstablishmentDetail | None) -> None:
        while self._data.rowCount():
            self._data.removeRow(0)
        if detail is None:
            return
        technical = " – ".join(p for p in (detail.technical_name, detail.technical_council) if p)
        cep = format_cep(detail.cep) if detail.cep else ""
        lines = [
            (self.tr("Razão social"), detail.legal_name),
            (self.tr("Nome fantasia"), detail.trade_name),
            (self.tr("CNPJ/CPF"), detail.document_label),
            (self.tr("Endereço"), " · ".join(p for p in (detail.address, cep) if p)),
            (self.tr("Contato"), " · ".join(p for p in (format_phone(detail.phone),
                                                         detail.email) if p)),
            (self.tr("Responsável legal"), detail.legal_representative),
            (self.tr("Responsável técnico"), technical),
            (self.tr("Equipe"), detail.team),
            (self.tr("Situação"), detail.status.label),
            (self.tr("Última / próxima inspeção"),
             f"{day_text(detail.last_inspection_on)} / {day_text(detail.next_inspection_on)}"),
            (self.tr("Observações"), detail.notes),
        ]  # fmt: skip
        for caption, value in lines:
            label = QLabel(value or "—")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._data.addRow(caption, label)

    def _fill_activities(self, detail: EstablishmentDetail | None) -> None:
        self.activities_model.set_rows(detail.activities if detail else [])
        if detail is None or detail.risk is None:
            self.risk_headline.setText(self.tr("Grau de risco: —"))
            self.risk_headline.setStyleSheet("")
            self.risk_reason.setText("")
            return
        self.risk_headline.setText(
            self.tr("Grau de risco: {label}").format(label=detail.risk.label)
        )
        self.risk_headline.setStyleSheet(f"color: {RISK_COLORS[detail.risk]};")
        self.risk_reason.setText(detail.risk_reason)
