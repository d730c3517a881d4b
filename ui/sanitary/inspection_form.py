"""The inspection fill-in screen of the field laptop: the roteiro item by item, every answer saved
at once, photos and files, and "Concluir inspeção".

`InspectionForm` is a page widget (the work list shows it in place of the list, so nothing floats
over a small screen). Left, the roteiro's items by section with their answer written out and
coloured; right, the current item: its text, classification and legal reference, the three answer
buttons, the observation and the attachments. This module builds the page (the establishment's
header, the keys and the progress at the foot), reads the inspection in the worker and shows it;
its parts live by subject in `ui.sanitary.inspection_items` (the items tree, the current item and
moving between items), `ui.sanitary.inspection_answers` (answering, saved at once) and
`ui.sanitary.inspection_conclusion` (concluding, the finished banner). `finished(inspection_id)`
is emitted when the inspection is concluded; `next_actions` is the row where the documents screen
adds "Emitir termo…".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.sanitary.enums import Answer, InspectionStatus
from app.sanitary.inspection_queries import (
    AttachmentRow,
    InspectionSheet,
    attachments,
    inspection_sheet,
)
from ui.context import AppContext
from ui.sanitary.inspection_answers import AnsweringMixin
from ui.sanitary.inspection_conclusion import ConclusionMixin
from ui.sanitary.inspection_items import ItemsTreeMixin, bold

SHORTCUTS_HELP = (
    "Teclas: C ou 1 Conforme · N ou 2 Não conforme · A ou 3 Não se aplica (na lista; Alt+C, "
    "Alt+N, Alt+A de qualquer campo) · Alt+→ ou PgDn próximo item · Alt+← ou PgUp anterior · "
    "Enter na observação grava e avança"
)


@dataclass(frozen=True)
class Loaded:
    sheet: InspectionSheet
    attachments: list[AttachmentRow]


class InspectionForm(ItemsTreeMixin, AnsweringMixin, ConclusionMixin, QWidget):
    """Fill in one inspection.

    Signals:
        loaded(): the screen shows freshly read data (tests wait on it).
        saved(): an answer or observation was stored.
        finished(uuid.UUID): the inspection was concluded.
        closed(): the inspector asked to go back to the work list.
    """

    loaded = Signal()
    saved = Signal()
    finished = Signal(object)
    closed = Signal()

    def __init__(
        self, ctx: AppContext, inspection_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inspection_form")
        self._ctx = ctx
        self.inspection_id = inspection_id
        self.sheet: InspectionSheet | None = None
        self._attachments: list[AttachmentRow] = []
        self._pending: Answer | None = None  # chosen, waiting for the observation
        self._drafts: dict[uuid.UUID, str] = {}  # observations typed before any answer
        self._tree_items: dict[uuid.UUID, QTreeWidgetItem] = {}
        self._build_ui()
        self._build_shortcuts()
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._build_header())
        layout.addWidget(self._build_done_banner())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_tree())
        splitter.addWidget(self._build_item_panel())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 640])
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_footer())

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        column = QVBoxLayout()
        column.setSpacing(1)
        self.title = bold(QLabel(), 1.35)
        self.title.setObjectName("establishment_name")
        self.details = QLabel()
        self.details.setObjectName("establishment_details")
        self.details.setWordWrap(True)
        self.roteiro = QLabel()
        self.roteiro.setObjectName("roteiro_label")
        for widget in (self.title, self.details, self.roteiro):
            column.addWidget(widget)
        self.back_button = QPushButton(self.tr("◀ &Voltar à lista"))
        self.back_button.setObjectName("back")
        self.back_button.setAutoDefault(False)
        self.back_button.setToolTip(self.tr("Tudo o que foi respondido já está gravado."))
        self.back_button.clicked.connect(self._back)
        row.addLayout(column, 1)
        row.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _build_footer(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.help_label = help_label = QLabel(self.tr(SHORTCUTS_HELP))
        help_label.setObjectName("shortcuts_help")
        help_label.setWordWrap(True)
        help_label.setStyleSheet("color: #555;")
        row = QHBoxLayout()
        self.progress = bold(QLabel())
        self.progress.setObjectName("progress")
        self.message = QLabel()
        self.message.setObjectName("form_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.conclude_button = QPushButton(self.tr("C&oncluir inspeção…"))
        self.conclude_button.setObjectName("conclude")
        self.conclude_button.setAutoDefault(False)
        self.conclude_button.setMinimumHeight(34)
        self.conclude_button.clicked.connect(self.conclude)
        row.addWidget(self.progress)
        row.addWidget(self.message, 1)
        row.addWidget(self.conclude_button)
        column.addWidget(help_label)
        column.addLayout(row)
        return column

    # --- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the inspection again (in the worker) and show it."""
        ctx, inspection_id = self._ctx, self.inspection_id

        def work() -> Loaded:
            with ctx.db.read_only() as session:
                sheet = inspection_sheet(session, ctx.actor, inspection_id)
                return Loaded(sheet, attachments(session, inspection_id))

        ctx.ops.run(work, self._show, parent=self)

    def _show(self, loaded: Loaded) -> None:
        first = self.sheet is None
        self.sheet, self._attachments = loaded.sheet, loaded.attachments
        self._show_header(loaded.sheet)
        if first or set(self._tree_items) != {i.item_id for i in loaded.sheet.items}:
            self._build_rows(loaded.sheet)
        for item in loaded.sheet.items:
            self._paint(self._tree_items[item.item_id], item)
        self.progress.setText(loaded.sheet.progress_text())
        if not loaded.sheet.items:
            self._show_without_roteiro(loaded.sheet)
        elif first:
            self._select(self._first_unanswered())
            self.tree.setFocus()
        else:
            self._fill_panel(keep_text=True)
        self._show_state(loaded.sheet)
        self.loaded.emit()

    def _show_without_roteiro(self, sheet: InspectionSheet) -> None:
        """No published roteiro serves this establishment: the visit is recorded in words."""
        for widget in (self.tree, self.item_area, self.navigation, self.help_label):
            widget.hide()
        self.notice.setText(
            self.tr("<b>Inspeção sem roteiro.</b> Não há roteiro publicado para as atividades "
                    "(CNAE) deste estabelecimento. Anexe abaixo as fotos da visita e descreva o "
                    "que foi verificado nas constatações, ao concluir a inspeção.")
        )  # fmt: skip
        self.notice.show()
        self.attachments_box.title.setText(self.tr("Fotos e arquivos da visita"))
        rows = [a for a in self._attachments if a.item_id is None]
        editable = sheet.status is InspectionStatus.IN_PROGRESS
        self.attachments_box.set_target(self.inspection_id, None, rows, editable)

    def _show_header(self, sheet: InspectionSheet) -> None:
        place = sheet.establishment
        self.title.setText(place.name)
        district = f" – {place.district}" if place.district else ""
        self.details.setText(
            f"{place.legal_name} · {place.document} · {place.address}{district} · "
            f"Risco {place.risk_text} · {sheet.reason.label}"
        )
        started = self._ctx.local(sheet.started_at) if sheet.started_at else None
        when = self.tr(", iniciada em {t}").format(t=f"{started:%d/%m/%Y %H:%M}") if started else ""
        self.roteiro.setText(
            self.tr("Roteiro: {r} · {s}{w}").format(
                r=sheet.roteiro or self.tr("nenhum para estas atividades"),
                s=sheet.status.label,
                w=when,
            )
        )

    # --- leaving ----------------------------------------------------------------------------

    def _back(self) -> None:
        self.commit_observation(advance=False)
        self.closed.emit()
