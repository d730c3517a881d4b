"""The "Computadores" actions of the sync center: enrolment, revocation and numbering ranges.

Shown only to accounts with "sync.admin". On a unit or field computer: "Gerar pedido de cadastro…"
writes the `.smpedido` the clerk takes to the central office, and "Importar cadastro da central…"
reads the `.smcadastro` the central office gave back (a wrong or altered file is refused with the
reason and changes nothing). On the hub: "Cadastrar computador…" reads a request and writes the
enrolment file, "Revogar computador" and "Reservar numeração…" act on the computer selected in
the list. File choices, the confirmation and the team question are attributes that tests replace.
Every service call runs in `ctx.ops`; the result is reported through `done(str)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.installation.models import NodeKind
from app.sync.node import enrol_node, join_hub, revoke_node, write_request
from app.sync.numbering import allocate_range
from app.sync.status import PeerRow
from ui.care.agenda_forms import FormDialog, action_button
from ui.context import AppContext
from ui.ops import show_error

ADMIN = "sync.admin"
REQUEST_SUFFIX = ".smpedido"
ENROLMENT_SUFFIX = ".smcadastro"
REQUEST_FILTER = "Pedido de cadastro (*.smpedido)"
ENROLMENT_FILTER = "Cadastro da central (*.smcadastro)"

# parent, title, suggested path (or start folder), name filter → the chosen file or None
FileChooser = Callable[[QWidget, str, str, str], Path | None]
# parent, title, question → True to go on
Confirm = Callable[[QWidget, str, str], bool]
# parent, title, label → the text typed (maybe empty) or None when cancelled
AskText = Callable[[QWidget, str, str], str | None]


def open_file(parent: QWidget, title: str, start: str, name_filter: str) -> Path | None:
    path, _chosen = QFileDialog.getOpenFileName(parent, title, start, name_filter)
    return Path(path) if path else None


def save_file(parent: QWidget, title: str, suggested: str, name_filter: str) -> Path | None:
    path, _chosen = QFileDialog.getSaveFileName(parent, title, suggested, name_filter)
    return Path(path) if path else None


def confirm(parent: QWidget, title: str, question: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    yes = box.addButton(parent.tr("Revogar"), QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(box.addButton(parent.tr("Cancelar"), QMessageBox.ButtonRole.RejectRole))
    box.exec()
    return box.clickedButton() is yes


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setOkButtonText(parent.tr("Continuar"))
    dialog.setCancelButtonText(parent.tr("Cancelar"))
    return dialog.textValue().strip() if dialog.exec() else None


def with_suffix(path: Path, suffix: str) -> Path:
    """The chosen file with the expected extension (typed names often lack it)."""
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def file_stem(name: str) -> str:
    """A computer's name as a file name: "UBS Centro" → "UBS_Centro"."""
    return re.sub(r"[^\w-]+", "_", name).strip("_") or "computador"


class EnrolmentActions(QWidget):
    """The row of enrolment buttons under the list of computers.

    Signals:
        done(str): an action ended; the Portuguese message to show (the page reloads).
    """

    done = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        selected: Callable[[], PeerRow | None],
        start_folder: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("enrolment_actions")
        self._ctx = ctx
        self._selected = selected
        self._start_folder = start_folder
        self.open_file: FileChooser = open_file
        self.save_file: FileChooser = save_file
        self.confirm: Confirm = confirm
        self.ask_text: AskText = ask_text
        self.error_box: QMessageBox | None = None
        self.range_dialog: RangeDialog | None = None
        self.is_hub = ctx.installation.kind == NodeKind.HUB
        self._build_ui()
        if not ctx.actor.can(ADMIN):
            self.hide()  # (showing a widget before it has a parent would open a window)

    def _build_ui(self) -> None:
        tip = self.tr("Age sobre o computador selecionado na lista acima.")
        request_tip = self.tr("Grava o arquivo que a central usa para cadastrar este computador.")
        join_tip = self.tr("Lê o arquivo de cadastro (.smcadastro) que a central devolveu.")
        enrol_tip = self.tr("Lê o pedido (.smpedido) de um computador e grava o cadastro dele.")
        self.request_button = action_button(
            self.tr("&Gerar pedido de cadastro…"), "request", request_tip
        )
        self.join_button = action_button(
            self.tr("Importar ca&dastro da central…"), "join", join_tip
        )
        self.enrol_button = action_button(self.tr("Cadastrar com&putador…"), "enrol", enrol_tip)
        self.revoke_button = action_button(self.tr("Re&vogar computador"), "revoke", tip)
        self.range_button = action_button(self.tr("Reservar &numeração…"), "reserve", tip)
        self.request_button.clicked.connect(self.write_request)
        self.join_button.clicked.connect(self.join)
        self.enrol_button.clicked.connect(self.enrol)
        self.revoke_button.clicked.connect(self.revoke)
        self.range_button.clicked.connect(self.reserve)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for button in self.buttons():
            row.addWidget(button)
        if self.is_hub:
            hint = QLabel(self.tr("Revogar e reservar agem sobre o computador selecionado."))
            hint.setEnabled(False)
            hint.setWordWrap(True)
            row.addWidget(hint, 1)
        else:
            row.addStretch(1)

    def buttons(self) -> list[QPushButton]:
        """The buttons this kind of computer shows."""
        if self.is_hub:
            return [self.enrol_button, self.revoke_button, self.range_button]
        return [self.request_button, self.join_button]

    # --- running ----------------------------------------------------------------------------

    def _run(self, work: Callable[[], str]) -> None:
        self._busy(True)
        self._ctx.ops.run(work, self._finished, self._failed, parent=self)

    def _busy(self, busy: bool) -> None:
        for button in self.buttons():
            button.setEnabled(not busy)

    def _finished(self, message: str) -> None:
        self._busy(False)
        self.done.emit(message)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.error_box = show_error(self, exc)

    # --- unit or field computer -------------------------------------------------------------

    def write_request(self) -> None:
        """Save this computer's enrolment request where the clerk chooses."""
        name = file_stem(self._ctx.installation.name) + REQUEST_SUFFIX
        suggested = str(Path(self._start_folder()) / name) if self._start_folder() else name
        title = self.tr("Onde gravar o pedido de cadastro (pendrive ou pasta compartilhada)")
        chosen = self.save_file(self, title, suggested, self.tr(REQUEST_FILTER))
        if chosen is None:
            return
        path, db = with_suffix(chosen, REQUEST_SUFFIX), self._ctx.db
        message = self.tr(
            "Pedido de cadastro gravado em {path}. Leve este arquivo à central; ela devolverá um "
            "arquivo de cadastro (.smcadastro), que deve ser importado aqui com “Importar cadastro "
            "da central…”."
        ).format(path=path)

        def work() -> str:
            write_request(db, path)
            return message

        self._run(work)

    def join(self) -> None:
        """Import the enrolment file the hub wrote for this computer."""
        title = self.tr("Arquivo de cadastro recebido da central")
        chosen = self.open_file(self, title, self._start_folder(), self.tr(ENROLMENT_FILTER))
        if chosen is None:
            return
        db = self._ctx.db
        done = self.tr("Cadastro concluído: este computador sincroniza com {hub}.")

        def work() -> str:
            return done.format(hub=join_hub(db, chosen))

        self._run(work)

    # --- hub --------------------------------------------------------------------------------

    def enrol(self) -> None:
        """Register a computer from its request and save the enrolment file to take back."""
        title = self.tr("Pedido de cadastro do computador (.smpedido)")
        request = self.open_file(self, title, self._start_folder(), self.tr(REQUEST_FILTER))
        if request is None:
            return
        label = self.tr(
            "Equipe do computador (opcional; por exemplo, a equipe de campo que o usa):"
        )
        team = self.ask_text(self, self.tr("Cadastrar computador"), label)
        if team is None:
            return
        suggested = str(request.with_suffix(ENROLMENT_SUFFIX))
        title = self.tr("Onde gravar o arquivo de cadastro a levar ao computador")
        chosen = self.save_file(self, title, suggested, self.tr(ENROLMENT_FILTER))
        if chosen is None:
            return
        answer, db = with_suffix(chosen, ENROLMENT_SUFFIX), self._ctx.db
        done = self.tr(
            "{name} cadastrado. Leve o arquivo {file} a esse computador e importe-o lá com "
            "“Importar cadastro da central…”."
        )

        def work() -> str:
            return done.format(name=enrol_node(db, request, answer, team=team), file=answer)

        self._run(work)

    def _peer(self, action: str) -> PeerRow | None:
        peer = self._selected()
        if peer is None:
            self.done.emit(
                self.tr("Selecione na lista o computador a {action}.").format(action=action)
            )
        return peer

    def revoke(self) -> None:
        """After confirmation, refuse the selected computer's batches and send it nothing more."""
        peer = self._peer(self.tr("revogar"))
        if peer is None:
            return
        if peer.revoked_at is not None:
            self.done.emit(self.tr("{name} já está revogado.").format(name=peer.name))
            return
        question = self.tr(
            "Revogar o computador {name}? Os lotes dele passarão a ser recusados e nada mais será "
            "enviado a ele. Para voltar a sincronizar, ele precisará de um novo cadastro."
        ).format(name=peer.name)
        if not self.confirm(self, self.tr("Revogar computador"), question):
            return
        ctx, node_id = self._ctx, peer.node_id
        done = self.tr(
            "{name} revogado: os lotes dele serão recusados e nada mais será enviado a ele."
        ).format(name=peer.name)

        def work() -> str:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                revoke_node(session, node_id)
            return done

        self._run(work)

    def reserve(self) -> None:
        """Open the dialog that reserves a block of legal numbers for the selected computer."""
        peer = self._peer(self.tr("receber a faixa de numeração"))
        if peer is None:
            return
        dialog = RangeDialog(self._ctx, peer, self)
        dialog.reserved.connect(self.done.emit)
        self.range_dialog = dialog
        dialog.open()


class RangeDialog(FormDialog):
    """Série, ano and quantidade of a block of legal numbers for one computer."""

    reserved = Signal(str)

    def __init__(self, ctx: AppContext, peer: PeerRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("range_dialog")
        self.setWindowTitle(self.tr("Reservar numeração"))
        self.peer = peer
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Faixa de números de documentos para {name}. Ela chega a esse computador na "
                "próxima sincronização, e só ele usa esses números."
            ).format(name=peer.name)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.form_error)
        layout.addLayout(self.form)
        self.series = QLineEdit()
        self.series.setMaxLength(40)
        self.series.setPlaceholderText(self.tr("Ex.: AUTO-INFRACAO"))
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(ctx.today().year)
        self.quantity = QSpinBox()
        self.quantity.setRange(1, 100_000)
        self.quantity.setValue(100)
        self.form.add_field("series", self.tr("&Série:"), self.series)
        self.form.add_field("year", self.tr("&Ano:"), self.year)
        self.form.add_field("size", self.tr("&Quantidade:"), self.quantity)
        self._last_field(self.quantity)
        layout.addLayout(self._build_buttons(self.tr("&Reservar")))
        self.resize(520, self.sizeHint().height())
        self.series.setFocus()

    def save(self) -> None:
        ctx, node_id = self.ctx, self.peer.node_id
        series, year, size = self.series.text().strip(), self.year.value(), self.quantity.value()

        def work() -> tuple[int, int]:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                block = allocate_range(session, node_id, series, year, size)
                return block.first_number, block.last_number

        self._run(work, self._done)

    def _done(self, numbers: Any) -> None:
        first, last = numbers
        message = self.tr(
            "Números {first} a {last} da série {series}/{year} reservados para {name}. A faixa "
            "chega a esse computador na próxima sincronização."
        ).format(
            first=first,
            last=last,
            series=self.series.text().strip(),
            year=self.year.value(),
            name=self.peer.name,
        )
        self.accept()
        self.reserved.emit(message)
