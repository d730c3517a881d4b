"""The inactivity watcher: after N minutes without keyboard or mouse, the session locks.

An event filter on the QApplication restarts a single-shot timer on every key, click, wheel or
mouse move in any window of the app; when the timer runs out it emits
`bus.session_ended("lock")`, and the main window covers itself with the lock screen (the login
dialog in lock mode). The filter only looks at the event type and lets every event through, so it
costs one Python call per event. The timeout comes from `app.settings.LOCK_MINUTES`; tests pass
a few milliseconds instead.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

from ui.context import Bus

LOCK = "lock"
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


def minutes_to_ms(minutes: int) -> int:
    return max(1, minutes) * 60_000


class InactivityWatcher(QObject):
    """Emits `bus.session_ended("lock")` after `timeout_ms` without user input.

    `start()` begins watching (and restarts the countdown); `stop()` while the session is locked
    or over, so a locked screen never locks again.
    """

    def __init__(self, bus: Bus, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = bus
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self._expired)
        self._watching = False

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    def set_timeout_ms(self, timeout_ms: int) -> None:
        self._timer.setInterval(timeout_ms)
        if self._watching:
            self._timer.start()

    def is_watching(self) -> bool:
        return self._watching

    def start(self) -> None:
        app = QCoreApplication.instance()
        if not self._watching and app is not None:
            app.installEventFilter(self)
        self._watching = True
        self._timer.start()

    def stop(self) -> None:
        app = QCoreApplication.instance()
        if self._watching and app is not None:
            app.removeEventFilter(self)
        self._watching = False
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._timer.start()
        return False

    def _expired(self) -> None:
        self.stop()
        self._bus.session_ended.emit(LOCK)
