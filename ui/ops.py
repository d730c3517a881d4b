"""The one way to run work off the GUI thread: `ctx.ops.run(fn, on_success, on_failure)`.

`fn` runs on a single worker thread (one at a time, so SQLite writes are serialised) and must
never touch widgets; it opens its own session with `db.unit_of_work()`. Its result or exception
comes back to the GUI thread through a signal. Errors meant for the user (`UserFacingError`) are
shown as they are; anything else is logged and shown as an unexpected error. When `parent` is
given and that window has been deleted by the time the work ends, the result is dropped.
Message boxes are opened non-blocking (`open()`), so nothing stalls the event loop (or a test).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import UserFacingError

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Ocorreu um erro inesperado e a operação não foi concluída. Nenhum dado foi perdido. "
    "Se o problema continuar, informe o suporte (detalhes no arquivo de registro)."
)


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # delivered to the GUI thread, never lost
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


def show_error(
    parent: QWidget | None, exc: BaseException, title: str = "Não foi possível concluir"
) -> QMessageBox:
    """Show an error without blocking the event loop; returns the box (tests read its text)."""
    if isinstance(exc, UserFacingError):
        text = exc.message
    else:
        log.error("unexpected error", exc_info=exc)
        text = UNEXPECTED
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("error_box")
    box.open()
    return box


def _alive(widget: QWidget | None) -> bool:
    """False once the widget that asked for the work has been closed and deleted."""
    return widget is None or shiboken6.isValid(widget)


class OpRunner(QObject):
    """Runs callables on one worker thread and delivers results on the GUI thread."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending = 0
        self._relays: set[_Relay] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Run `fn` in the worker; then `on_success(result)` or `on_failure(exc)` in the GUI."""
        relay = _Relay()
        self._relays.add(relay)  # keep it alive until delivered

        def done(result: Any) -> None:
            self._finish(relay)
            if on_success is not None and _alive(parent):
                on_success(result)

        def failed(exc: BaseException) -> None:
            self._finish(relay)
            if not _alive(parent):
                log.info("result of an operation dropped: its window was closed", exc_info=exc)
                return
            (on_failure or (lambda e: show_error(parent, e)))(exc)

        relay.succeeded.connect(done)
        relay.failed.connect(failed)
        self._pending += 1
        self.busy_changed.emit(True)
        self._pool.start(_Job(fn, relay))

    def _finish(self, relay: _Relay) -> None:
        self._relays.discard(relay)
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)

    def is_idle(self) -> bool:
        return self._pending == 0

    def wait_for_done(self, msecs: int = 30000) -> bool:
        """Block until the worker is idle (shut-down, tests); results still need the event loop."""
        return self._pool.waitForDone(msecs)
