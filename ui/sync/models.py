"""Table models of the sync center: pending changes, peers, history, quarantine, conflicts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from app.sync.conflict_queries import ConflictRow
from app.sync.status import BatchRow, PeerRow
from ui.models.rows import Column, RowsModel

Local = Callable[[datetime], datetime]


def when(local: Local, instant: datetime | None, never: str = "nunca") -> str:
    return local(instant).strftime("%d/%m/%Y %H:%M") if instant else never


class PendingModel(RowsModel[tuple[str, int]]):
    def _build_columns(self) -> list[Column[tuple[str, int]]]:
        return [
            Column(self.tr("Tipo de registro"), lambda r: r[0]),
            Column(self.tr("Alterações"), lambda r: str(r[1]), align_right=True),
        ]


class PeersModel(RowsModel[PeerRow]):
    def __init__(self, local: Local, parent: QObject | None = None) -> None:
        self._local = local
        super().__init__(parent=parent)

    def _build_columns(self) -> list[Column[PeerRow]]:
        return [
            Column(self.tr("Computador"), lambda r: r.name),
            Column(self.tr("Tipo"), lambda r: r.kind_label + (f" {r.cnes}" if r.cnes else "")),
            Column(self.tr("Situação"), lambda r: r.state_label),
            Column(self.tr("Último envio"), lambda r: when(self._local, r.last_export_at)),
            Column(self.tr("Último recebimento"), lambda r: when(self._local, r.last_import_at)),
            Column(self.tr("A enviar"), lambda r: str(r.pending), align_right=True),
        ]

    def foreground(self, row: PeerRow) -> QColor | None:
        return QColor("gray") if row.revoked_at else None


class HistoryModel(RowsModel[BatchRow]):
    def __init__(self, local: Local, parent: QObject | None = None) -> None:
        self._local = local
        super().__init__(parent=parent)

    def _build_columns(self) -> list[Column[BatchRow]]:
        return [
            Column(self.tr("Quando"), lambda r: when(self._local, r.at)),
            Column(self.tr("Sentido"), lambda r: r.direction_label),
            Column(self.tr("Computador"), lambda r: r.peer_name),
            Column(self.tr("Situação"), lambda r: r.status_label),
            Column(self.tr("Alterações"), lambda r: str(r.changes), align_right=True),
            Column(self.tr("Conflitos"), lambda r: str(r.conflicts), align_right=True),
            Column(self.tr("Recusadas"), lambda r: str(r.rejected), align_right=True),
            Column(self.tr("Recibo"), lambda r: when(self._local, r.receipt_at, "")),
            Column(self.tr("Arquivo"), lambda r: r.file_name),
        ]


class QuarantineModel(RowsModel[tuple[Path, str]]):
    def _build_columns(self) -> list[Column[tuple[Path, str]]]:
        return [
            Column(self.tr("Arquivo"), lambda r: r[0].name),
            Column(self.tr("Motivo"), lambda r: reason_of(r[1])),
        ]


def reason_of(note: str) -> str:
    """The reason line of a quarantine note ("Motivo: …"), or the whole note."""
    for line in note.splitlines():
        if line.startswith("Motivo:"):
            return line.removeprefix("Motivo:").strip()
    return note.strip()


class ConflictsModel(RowsModel[ConflictRow]):
    def __init__(self, local: Local, parent: QObject | None = None) -> None:
        self._local = local
        super().__init__(parent=parent)

    def _build_columns(self) -> list[Column[ConflictRow]]:
        return [
            Column(self.tr("Aberto em"), lambda r: when(self._local, r.opened_at)),
            Column(self.tr("Registro"), lambda r: f"{r.table_label}: {r.record_label}"),
            Column(self.tr("Campos"), lambda r: r.fields_label),
            Column(self.tr("Computadores"), lambda r: f"{r.local_name} × {r.remote_name}"),
            Column(self.tr("Tipo"), lambda r: r.kind_label),
        ]
