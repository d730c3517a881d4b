"""The attachments box of the inspection form: the photos and files of the current roteiro item
(or of the whole visit), a caption, "Anexar foto/arquivo…" and a viewer for a photo.

The file is chosen through `choose_file` (an attribute, so tests put a function returning a path in
place of the native dialog); its size is checked before it is read, and it is read and stored in
the worker through `app.sanitary.inspections.attach`, so a big photo never freezes the screen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.sanitary import inspections as svc
from app.sanitary.inspection_queries import AttachmentRow, attachment_content
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.fields import ErrorLabel

FILE_FILTER = "Fotos e documentos (*.jpg *.jpeg *.png *.pdf *.JPG *.JPEG *.PNG *.PDF)"


def _native_choice(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent, parent.tr("Anexar foto ou arquivo"), str(Path.home()), FILE_FILTER
    )
    return path


def _read_checked(path: str) -> bytes:
    """The file's bytes, refused before reading when it is too big (runs in the worker)."""
    file = Path(path)
    svc.media_type_of(file.name)
    svc.check_attachment_size(file.stat().st_size)
    return file.read_bytes()


class AttachmentsBox(QWidget):
    """Attachments of one item (or of the visit) of an inspection in progress.

    Signals:
        attached(uuid.UUID): a new attachment was stored (the form reloads its counts).
    """

    attached = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachments_box")
        self._ctx = ctx
        self._inspection_id: uuid.UUID | None = None
        self._item_id: uuid.UUID | None = None
        self.choose_file: Callable[[QWidget], str] = _native_choice
        self._build_ui()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.title = QLabel(self.tr("Fotos e arquivos deste item"))
        self.list = QListWidget()
        self.list.setObjectName("attachment_list")
        self.list.setMaximumHeight(64)
        self.list.setToolTip(self.tr("Enter ou duplo clique abre a foto"))
        self.list.itemActivated.connect(self._open_item)
        row = QHBoxLayout()
        self.caption = QLineEdit()
        self.caption.setObjectName("attachment_caption")
        self.caption.setPlaceholderText(self.tr("Legenda da foto (opcional), antes de anexar"))
        self.caption.setMaxLength(300)
        self.attach_button = QPushButton(self.tr("Ane&xar foto/arquivo…"))
        self.attach_button.setObjectName("attach")
        self.attach_button.setAutoDefault(False)
        self.attach_button.setToolTip(self.tr("JPG, PNG ou PDF de até 10 MB (Alt+X)"))
        self.attach_button.clicked.connect(self.attach_file)
        row.addWidget(self.caption, 1)
        row.addWidget(self.attach_button)
        self.error = ErrorLabel("file")
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def set_target(
        self,
        inspection_id: uuid.UUID,
        item_id: uuid.UUID | None,
        rows: list[AttachmentRow],
        editable: bool,
    ) -> None:
        """Show the attachments of `item_id` (None: of the whole visit)."""
        if (inspection_id, item_id) != (self._inspection_id, self._item_id):
            self.error.show_message(None)
        self._inspection_id, self._item_id = inspection_id, item_id
        self.list.clear()
        for row in rows:
            text = f"{row.file_name} — {row.size_text}"
            item = QListWidgetItem(f"{text} — {row.caption}" if row.caption else text)
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.list.addItem(item)
        if not rows:
            self.list.addItem(QListWidgetItem(self.tr("Nenhum anexo.")))
        self.attach_button.setEnabled(editable)
        self.caption.setEnabled(editable)

    def attach_file(self) -> None:
        """Ask for a file and store it (in the worker) with the caption typed."""
        if self._inspection_id is None or not self.attach_button.isEnabled():
            return
        path = self.choose_file(self)
        if not path:
            return
        ctx, inspection_id, item_id = self._ctx, self._inspection_id, self._item_id
        caption, name = self.caption.text(), Path(path).name

        def work() -> uuid.UUID:
            content = _read_checked(path)
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.attach(session, ctx.actor, inspection_id, item_id, name, content,
                                  caption)  # fmt: skip

        self.attach_button.setEnabled(False)
        ctx.ops.run(work, self._done, self._failed, parent=self)

    def _done(self, attachment_id: uuid.UUID) -> None:
        self.attach_button.setEnabled(True)
        self.caption.clear()
        self.error.show_message(None)
        self.attached.emit(attachment_id)

    def _failed(self, exc: BaseException) -> None:
        self.attach_button.setEnabled(True)
        if isinstance(exc, ValidationError) and ("file" in exc.errors or "caption" in exc.errors):
            self.error.show_message(exc.errors.get("file") or exc.errors.get("caption"))
        elif isinstance(exc, OSError):
            self.error.show_message(self.tr("Não foi possível ler o arquivo escolhido."))
        else:
            show_error(self, exc, self.tr("Não foi possível anexar"))

    def _open_item(self, item: QListWidgetItem) -> None:
        row = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(row, AttachmentRow) or not row.is_image:
            return
        ctx = self._ctx

        def work() -> bytes:
            with ctx.db.read_only() as session:
                return attachment_content(session, row.attachment_id)

        ctx.ops.run(work, lambda content: self._show_photo(row, content), parent=self)

    def _show_photo(self, row: AttachmentRow, content: bytes) -> None:
        dialog = QDialog(self)
        dialog.setObjectName("photo_viewer")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle(row.caption or row.file_name)
        picture = QLabel()
        pixmap = QPixmap()
        pixmap.loadFromData(content)
        picture.setPixmap(pixmap.scaled(1100, 620, Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation))  # fmt: skip
        scroll = QScrollArea()
        scroll.setWidget(picture)
        QVBoxLayout(dialog).addWidget(scroll)
        dialog.resize(1150, 680)
        dialog.open()
