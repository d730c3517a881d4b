"""The "Trilha de auditoria" page: who did what, newest first, and the chain's integrity check.

The list is paged: the first page and the total arrive together from a worker, and each further
page is asked for when the view scrolls near the end (`canFetchMore`/`fetchMore` emit
`more_wanted`, the page fetches it through `ctx.ops` and appends it). Entries recorded while the
clerk scrolls shift the offsets, so rows already shown are skipped by their number. "Verificar
integridade" runs `app.security.audit.run_verification` (which itself records that it ran) and
shows the report's sentence in green when the chain is whole, in red with the first broken entry
number otherwise.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.security.audit import (
    ACTION_LABELS,
    AuditRow,
    ChainReport,
    count_entries,
    list_entries,
    run_verification,
)
from ui.admin import AnyIndex, Column, RowsModel, local_time, make_table
from ui.context import AppContext
from ui.labels import field_names
from ui.ops import show_error
from ui.widgets.page_header import title_label

PAGE_SIZE = 200
OK_STYLE = "color: #1b6e3a; background: #e6f4ea; border: 1px solid #9ccfaa; padding: 6px;"
BROKEN_STYLE = "color: #8c1d18; background: #fce8e6; border: 1px solid #e6a39c; padding: 6px;"

# Marked for translation in context "audit", translated where they are shown.
ENTITY_LABELS = {
    "account": QT_TRANSLATE_NOOP("audit", "Conta"),
    "role": QT_TRANSLATE_NOOP("audit", "Perfil"),
    "citizen": QT_TRANSLATE_NOOP("audit", "Cidadão"),
    "installation": QT_TRANSLATE_NOOP("audit", "Instalação"),
    "municipality": QT_TRANSLATE_NOOP("audit", "Município"),
    "issued_document": QT_TRANSLATE_NOOP("audit", "Documento emitido"),
    "health_unit": QT_TRANSLATE_NOOP("audit", "Unidade de saúde"),
    "professional": QT_TRANSLATE_NOOP("audit", "Profissional"),
    "district": QT_TRANSLATE_NOOP("audit", "Bairro"),
    "agenda_block": QT_TRANSLATE_NOOP("audit", "Bloqueio de agenda"),
    "agenda_slot": QT_TRANSLATE_NOOP("audit", "Vaga da agenda"),
    "agenda_template": QT_TRANSLATE_NOOP("audit", "Modelo de agenda"),
    "appointment": QT_TRANSLATE_NOOP("audit", "Agendamento"),
    "waiting_list_entry": QT_TRANSLATE_NOOP("audit", "Lista de espera"),
    "municipal_holiday": QT_TRANSLATE_NOOP("audit", "Feriado municipal"),
    "attendance": QT_TRANSLATE_NOOP("audit", "Atendimento"),
    "competence_closing": QT_TRANSLATE_NOOP("audit", "Fechamento de competência"),
    "reference_version": QT_TRANSLATE_NOOP("audit", "Tabela de referência"),
    "bpa": QT_TRANSLATE_NOOP("audit", "Arquivo BPA"),
    "esus": QT_TRANSLATE_NOOP("audit", "Arquivos do e-SUS APS"),
    "sync_conflict": QT_TRANSLATE_NOOP("audit", "Conflito de sincronização"),
    "sanitary_config": QT_TRANSLATE_NOOP("audit", "Parâmetros da VISA"),
    "cnae_risk_table": QT_TRANSLATE_NOOP("audit", "Tabela de risco (CNAE)"),
    "cnae_risk_override": QT_TRANSLATE_NOOP("audit", "Regra municipal de risco"),
    "sanitary_inspector": QT_TRANSLATE_NOOP("audit", "Fiscal sanitário"),
    "establishment": QT_TRANSLATE_NOOP("audit", "Estabelecimento"),
    "checklist": QT_TRANSLATE_NOOP("audit", "Roteiro de inspeção"),
    "checklist_version": QT_TRANSLATE_NOOP("audit", "Versão de roteiro"),
    "checklist_item": QT_TRANSLATE_NOOP("audit", "Item de roteiro"),
    "cnae_risk": QT_TRANSLATE_NOOP("audit", "Risco de CNAE"),
    "inspection_answer": QT_TRANSLATE_NOOP("audit", "Resposta de item na inspeção"),
    "inspection_attachment": QT_TRANSLATE_NOOP("audit", "Anexo de inspeção"),
    "inspection": QT_TRANSLATE_NOOP("audit", "Inspeção"),
    "sanitary_document": QT_TRANSLATE_NOOP("audit", "Termo/auto sanitário"),
    "sanitary_licence": QT_TRANSLATE_NOOP("audit", "Licença sanitária"),
    "sanitary_process": QT_TRANSLATE_NOOP("audit", "Processo administrativo sanitário"),
    "sanitary_complaint": QT_TRANSLATE_NOOP("audit", "Denúncia"),
}
DETAIL_KEYS = {
    "fields": QT_TRANSLATE_NOOP("audit", "campos"),
    "reason": QT_TRANSLATE_NOOP("audit", "motivo"),
    "attempt": QT_TRANSLATE_NOOP("audit", "tentativa"),
    "attempts": QT_TRANSLATE_NOOP("audit", "tentativas"),
    "until": QT_TRANSLATE_NOOP("audit", "até"),
    "code": QT_TRANSLATE_NOOP("audit", "código"),
    "found": QT_TRANSLATE_NOOP("audit", "encontrado"),
    "ok": QT_TRANSLATE_NOOP("audit", "íntegra"),
    "checked": QT_TRANSLATE_NOOP("audit", "verificados"),
    "broken_seq": QT_TRANSLATE_NOOP("audit", "violada em"),
    "kind": QT_TRANSLATE_NOOP("audit", "tipo"),
    "pages": QT_TRANSLATE_NOOP("audit", "páginas"),
    "competence": QT_TRANSLATE_NOOP("audit", "competência"),
    "closed": QT_TRANSLATE_NOOP("audit", "fechada"),
    "corrects": QT_TRANSLATE_NOOP("audit", "corrige"),
    "void": QT_TRANSLATE_NOOP("audit", "anulação"),
}
REASONS = {
    "wrong_password": QT_TRANSLATE_NOOP("audit", "senha incorreta"),
    "unknown_user": QT_TRANSLATE_NOOP("audit", "usuário inexistente"),
    "locked": QT_TRANSLATE_NOOP("audit", "conta bloqueada"),
    "inactive": QT_TRANSLATE_NOOP("audit", "conta desativada"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("audit", text)


def describe_detail(detail: dict[str, Any]) -> str:
    """{"reason": "wrong_password", "attempt": 2} → "motivo: senha incorreta; tentativa: 2"."""
    parts = []
    for key, value in detail.items():
        if value is None or value == []:
            continue
        if key == "fields" and isinstance(value, list):
            value = field_names(value)
        elif isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, bool):
            value = _tr("sim") if value else _tr("não")
        elif key == "reason" and str(value) in REASONS:
            value = _tr(REASONS[str(value)])
        parts.append(f"{_tr(DETAIL_KEYS[key]) if key in DETAIL_KEYS else key}: {value}")
    return "; ".join(parts)


class AuditModel(RowsModel[AuditRow]):
    """Audit entries, fetched page by page on demand.

    Signals:
        more_wanted(int): the view wants the rows after this offset.
    """

    more_wanted = Signal(int)

    def __init__(self, columns: list[Column[AuditRow]], parent: QObject | None = None) -> None:
        super().__init__(columns, parent)
        self._total = 0
        self._loading = False

    @property
    def total(self) -> int:
        return self._total

    def reset_rows(self, rows: list[AuditRow], total: int) -> None:
        self._total, self._loading = total, False
        self.set_rows(rows)

    def append_rows(self, rows: list[AuditRow]) -> None:
        self._loading = False
        last = self._rows[-1].seq if self._rows else None
        fresh = [row for row in rows if last is None or row.seq < last]
        if not fresh:
            self._total = len(self._rows)  # nothing older left: stop asking
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and not self._loading and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex) -> None:
        if self.canFetchMore(parent):
            self._loading = True
            self.more_wanted.emit(len(self._rows))


class AuditPage(QWidget):
    """Filters, the paged list, and "Verificar integridade".

    Signals:
        loaded(): a page of entries arrived.
        verified(ChainReport): the integrity check answered.
    """

    loaded = Signal()
    verified = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_page")
        self.ctx = ctx
        self._generation = 0
        self.model = AuditModel(self._columns(), self)
        self.model.more_wanted.connect(self._fetch_more)
        self._build_ui()
        self.reload()

    def _columns(self) -> list[Column[AuditRow]]:
        zone = self.ctx.installation.timezone
        return [
            Column(self.tr("Nº"), lambda r: f"{r.seq:,}".replace(",", "."), align_right=True),
            Column(self.tr("Data e hora"), lambda r: local_time(r.at, zone)),
            Column(self.tr("Usuário"), lambda r: r.username or "—"),
            Column(self.tr("Ação"), lambda r: r.action_label),
            Column(self.tr("Registro"), self._entity),
            Column(self.tr("Detalhes"), lambda r: describe_detail(r.detail)),
        ]

    def _entity(self, row: AuditRow) -> str:
        if not row.entity:
            return ""
        label = ENTITY_LABELS.get(row.entity)
        return _tr(label) if label else row.entity

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Trilha de auditoria"))
        layout.addWidget(title)
        layout.addLayout(self._build_verify())
        self.result_label = QLabel()
        self.result_label.setObjectName("chain_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        layout.addWidget(self.result_label)
        layout.addLayout(self._build_filters())
        self.table = make_table(self.model, self)
        layout.addWidget(self.table, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("hint")
        layout.addWidget(self.count_label)

    def _build_verify(self) -> QHBoxLayout:
        row = QHBoxLayout()
        intro = QLabel(
            self.tr("Cada registro guarda o resumo do anterior: qualquer alteração é detectada.")
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        self.verify_button = QPushButton(self.tr("&Verificar integridade"))
        self.verify_button.clicked.connect(self.verify)
        row.addWidget(intro, 1)
        row.addWidget(self.verify_button)
        return row

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.action_filter = QComboBox()
        self.action_filter.addItem(self.tr("Todas as ações"), "")
        for code, label in sorted(ACTION_LABELS.items(), key=lambda item: item[1]):
            self.action_filter.addItem(label, code)
        self.user_filter = QLineEdit()
        self.user_filter.setPlaceholderText(self.tr("usuário"))
        self.user_filter.setClearButtonEnabled(True)
        self.user_filter.returnPressed.connect(self.reload)
        self.action_filter.currentIndexChanged.connect(self.reload)
        search = QPushButton(self.tr("&Filtrar"))
        search.clicked.connect(self.reload)
        row.addWidget(QLabel(self.tr("Ação:")))
        row.addWidget(self.action_filter)
        row.addWidget(QLabel(self.tr("Usuário:")))
        row.addWidget(self.user_filter)
        row.addWidget(search)
        row.addStretch(1)
        return row

    def _filters(self) -> dict[str, str | None]:
        return {
            "action": self.action_filter.currentData() or None,
            "username": self.user_filter.text().strip() or None,
        }

    def reload(self) -> None:
        self._generation += 1
        generation, ctx, filters = self._generation, self.ctx, self._filters()

        def work() -> tuple[list[AuditRow], int]:
            with ctx.db.read_only() as session:
                total = count_entries(session, ctx.actor, **filters)
                rows = list_entries(session, ctx.actor, offset=0, limit=PAGE_SIZE, **filters)
                return rows, total

        ctx.ops.run(work, lambda result: self._first_page(generation, *result), parent=self)

    def _first_page(self, generation: int, rows: list[AuditRow], total: int) -> None:
        if generation != self._generation:
            return  # a newer search replaced this one
        self.model.reset_rows(rows, total)
        self.table.resizeColumnsToContents()
        self._show_count()
        self.loaded.emit()

    def _fetch_more(self, offset: int) -> None:
        generation, ctx, filters = self._generation, self.ctx, self._filters()

        def work() -> list[AuditRow]:
            with ctx.db.read_only() as session:
                return list_entries(session, ctx.actor, offset=offset, limit=PAGE_SIZE, **filters)

        ctx.ops.run(work, lambda rows: self._next_page(generation, rows), parent=self)

    def _next_page(self, generation: int, rows: list[AuditRow]) -> None:
        if generation == self._generation:
            self.model.append_rows(rows)
            self._show_count()
            self.loaded.emit()

    def _show_count(self) -> None:
        total = f"{self.model.total:,}".replace(",", ".")
        self.count_label.setText(self.tr("{total} registros").format(total=total))

    def verify(self) -> None:
        ctx = self.ctx
        self.verify_button.setEnabled(False)
        self.result_label.setText(self.tr("Verificando a trilha…"))
        self.result_label.setStyleSheet("")
        self.result_label.show()

        def work() -> ChainReport:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return run_verification(session, ctx.actor)

        ctx.ops.run(work, self._verified, self._verify_failed, self)

    def _verified(self, report: ChainReport) -> None:
        self.verify_button.setEnabled(True)
        self.result_label.setText(report.message)
        self.result_label.setStyleSheet(OK_STYLE if report.ok else BROKEN_STYLE)
        self.result_label.setProperty("ok", report.ok)
        self.verified.emit(report)
        self.reload()  # the check itself is now the newest entry

    def _verify_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.result_label.hide()
        show_error(self, exc)
