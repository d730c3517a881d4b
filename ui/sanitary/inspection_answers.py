"""Answering the items of an inspection on the field laptop.

`AnsweringMixin` is mixed into `ui.sanitary.inspection_form.InspectionForm`: the three answer
buttons (Alt+C, Alt+N, Alt+A from anywhere) and the observation, where Enter saves it and goes on
(Shift+Enter breaks the line). Each answer goes to `app.sanitary.inspections.answer_item` in the
worker immediately, so a laptop that dies loses nothing already answered. A "Não conforme" on an
Imprescindível item asks for the observation first (the service refuses it without one) and is
saved with it.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from app.errors import ValidationError
from app.sanitary import inspections as svc
from app.sanitary.enums import Answer, ItemClass
from app.sanitary.inspection_queries import InspectionSheet, SheetItem
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.fields import ErrorLabel

if TYPE_CHECKING:
    from ui.sanitary.inspection_form import InspectionForm

# Background of an item by its answer; the answer is always written out too (never colour only).
ANSWER_COLOURS = {
    Answer.COMPLIANT: "#dcf1dc",
    Answer.NON_COMPLIANT: "#f9d6d3",
    Answer.NOT_APPLICABLE: "#e6e6e6",
}
ANSWER_KEYS = {Answer.COMPLIANT: ("C", "1"), Answer.NON_COMPLIANT: ("N", "2"),
               Answer.NOT_APPLICABLE: ("A", "3")}  # fmt: skip


class _EnterSaves(QObject):
    """Enter in the observation saves it (Shift+Enter still breaks the line)."""

    def __init__(self, form: InspectionForm) -> None:
        super().__init__(form)
        self._form = form

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._form.commit_observation(advance=False)
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._form.commit_observation(advance=True)
            return True
        return False


class AnsweringMixin:
    """The answer buttons and the observation of `InspectionForm`, and saving each answer."""

    _ctx: AppContext
    inspection_id: uuid.UUID
    sheet: InspectionSheet | None
    _pending: Answer | None
    _drafts: dict[uuid.UUID, str]

    def _build_answer_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.answer_group = QButtonGroup(self)
        self.answer_buttons: dict[Answer, QPushButton] = {}
        texts = {
            Answer.COMPLIANT: self.tr("&Conforme  [C]"),
            Answer.NON_COMPLIANT: self.tr("&Não conforme  [N]"),
            Answer.NOT_APPLICABLE: self.tr("Não se &aplica  [A]"),
        }
        for answer, text in texts.items():
            button = QPushButton(text)
            button.setObjectName(f"answer_{answer.value}")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setMinimumHeight(40)
            button.setStyleSheet(
                f"QPushButton:checked {{ background: {ANSWER_COLOURS[answer]};"
                " border: 2px solid #333; font-weight: bold; }"
            )
            button.clicked.connect(lambda _c=False, a=answer: self.answer(a))
            self.answer_group.addButton(button)
            self.answer_buttons[answer] = button
            row.addWidget(button)
        return row

    def _build_observation(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(2)
        caption = QLabel(self.tr("O&bservação (o que foi visto):"))
        self.observation = QPlainTextEdit()
        self.observation.setObjectName("observation")
        self.observation.setTabChangesFocus(True)
        self.observation.setMaximumHeight(80)
        self.observation.setPlaceholderText(
            self.tr("Obrigatória para item imprescindível não conforme. Enter grava e avança; "
                    "Shift+Enter muda de linha.")
        )  # fmt: skip
        self.observation.installEventFilter(_EnterSaves(self))
        caption.setBuddy(self.observation)
        self.observation_error = ErrorLabel("observation")
        for widget in (caption, self.observation, self.observation_error):
            column.addWidget(widget)
        return column

    def answer(self, answer: Answer) -> None:
        """Answer the current item (saved at once); a "Não conforme" of an Imprescindível item
        waits for its observation."""
        item = self._editable_item()
        if item is None:
            return
        text = self.observation.toPlainText().strip()
        essential = item.classification is ItemClass.ESSENTIAL
        if answer is Answer.NON_COMPLIANT and essential and not text:
            self._pending = answer
            self._fill_panel(keep_text=True)
            self.observation_error.show_message(
                self.tr("Item imprescindível não conforme: descreva o que foi encontrado e "
                        "tecle Enter para gravar.")
            )  # fmt: skip
            self.observation.setFocus()
            return
        self._pending = None
        advance = answer is not Answer.NON_COMPLIANT and self.advance_check.isChecked()
        self._save(item, answer, text, advance=advance)
        if answer is Answer.NON_COMPLIANT:
            self.observation.setFocus()

    def commit_observation(self, advance: bool) -> None:
        """Store the observation with the chosen (or saved) answer; Enter also moves on."""
        item = self._editable_item()
        if item is None:
            return
        text = self.observation.toPlainText().strip()
        answer = self._pending or item.answer
        if answer is None:
            self._drafts[item.item_id] = text
            if advance:
                self.observation_error.show_message(
                    self.tr("Escolha a resposta (Alt+C, Alt+N ou Alt+A): a observação é gravada "
                            "junto com ela.")
                )  # fmt: skip
            return
        if text == item.observation and self._pending is None:
            if advance:
                self.move(1)
                self.tree.setFocus()
            return
        if answer is Answer.NON_COMPLIANT and item.classification is ItemClass.ESSENTIAL:
            if not text:  # still waiting for the description: the service would refuse it
                return
        self._pending = None
        self._save(item, answer, text, advance=advance)

    def _save(self, item: SheetItem, answer: Answer, text: str, *, advance: bool) -> None:
        ctx, inspection_id = self._ctx, self.inspection_id

        def work() -> svc.AnswerSaved:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.answer_item(session, ctx.actor, inspection_id, item.item_id, answer,
                                       text)  # fmt: skip

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError) and "observation" in exc.errors:
                self._select(item.item_id)
                self.observation_error.show_message(exc.errors["observation"])
                self.observation.setFocus()
            else:
                show_error(self, exc, self.tr("A resposta não foi gravada"))
            self.reload()

        self._drafts.pop(item.item_id, None)
        self._remember(item, answer, text)
        if advance:
            self.move(1)
            self.tree.setFocus()
        ctx.ops.run(work, lambda _saved: self._saved(), failed, parent=self)

    def _remember(self, item: SheetItem, answer: Answer, text: str) -> None:
        """Show the answer at once (the worker confirms it; a failure reloads the truth)."""
        if self.sheet is None:
            return
        updated = replace(item, answer=answer, observation=text)
        sections = tuple(
            replace(s, items=tuple(updated if i.item_id == item.item_id else i for i in s.items))
            for s in self.sheet.sections
        )
        self.sheet = replace(self.sheet, sections=sections)
        self._paint(self._tree_items[item.item_id], updated)
        self.progress.setText(self.sheet.progress_text())
        self.observation_error.show_message(None)
        if self.current_item() == updated:
            self._fill_panel(keep_text=True)

    def _saved(self) -> None:
        self.message.clear()
        self.saved.emit()
