"""The login window, the same window as the inactivity lock screen, and the password change.

`LoginDialog` checks the credentials with `app.security.auth.login` in a worker (Argon2 takes tens
of milliseconds, too long for the GUI thread); a refusal, lockout included, is shown in red inside
the dialog and every attempt is committed, so a refused attempt counts. When the account must
choose a new password, `ChangePasswordDialog` opens before the login is accepted. In lock mode the
username is fixed (the session's owner), Esc does nothing, and the only way out besides the right
password is "Encerrar sessão", which rejects the dialog (the main window then logs out).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.errors import ValidationError
from app.security.actor import Actor
from ui.ops import OpRunner, show_error
from ui.widgets.fields import ERROR_COLOR, ErrorLabel, FormLayout

if TYPE_CHECKING:  # the database layer is imported by the worker, after the window is up
    from app.db.session import Database
    from app.installation.service import InstallationInfo
    from app.security.auth import LoginResult

HINT_COLOR = "#5f6b76"


def attempt_login(db: Database, username: str, password: str) -> LoginResult:
    """One attempt in its own committed unit of work (runs in the worker)."""
    from app.installation.service import installation_info, local_zone
    from app.security.auth import login

    with db.unit_of_work(username.strip().lower()) as session:
        zone = local_zone(installation_info(session))
        return login(session, username, password, tz=zone)


class LoginDialog(QDialog):
    """Username and password; `actor` holds the logged-in account after `accepted`.

    Signals:
        attempt_finished(LoginResult): after each answer from the database (tests wait on it).
    """

    attempt_finished = Signal(object)

    def __init__(
        self,
        db: Database | None,
        ops: OpRunner,
        parent: QWidget | None = None,
        *,
        locked_actor: Actor | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("login_dialog")
        self.db = db
        self.ops = ops
        self.actor: Actor | None = None
        self._locked_actor = locked_actor
        self._leaving = False
        self._build_ui()
        self.setWindowTitle(self._title())
        if db is None:  # start-up: the window comes first, the database is still opening
            self.place.setText(self.tr("Abrindo o banco de dados…"))
            self.submit_button.setEnabled(False)
        elif locked_actor is None:
            self._load_place()

    def set_database(self, db: Database) -> None:
        """The database is open: say where we are and accept logins."""
        self.db = db
        self.submit_button.setEnabled(True)
        self._load_place()

    # --- building ---------------------------------------------------------------------------

    def _title(self) -> str:
        if self._locked_actor is not None:
            return self.tr("{app} — sessão bloqueada").format(app=APP_NAME)
        return self.tr("{app} — entrar").format(app=APP_NAME)

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(10)
        layout.addWidget(self._build_header())
        layout.addLayout(self._build_form())
        layout.addWidget(self._build_error())
        layout.addWidget(self._build_buttons())
        self.setMinimumWidth(460)

    def _build_header(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 8)
        title = QLabel(APP_NAME)
        title.setObjectName("login_app_name")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        column.addWidget(title)
        self.place = QLabel()
        self.place.setObjectName("login_place")
        self.place.setWordWrap(True)
        # Room kept for the text that arrives from the database, so nothing jumps.
        self.place.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 2)
        self.place.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.place.setVisible(self._locked_actor is None)
        column.addWidget(self.place)
        self.subtitle = QLabel(self._subtitle_text())
        self.subtitle.setObjectName(
            "login_subtitle" if self._locked_actor is None else "lock_banner"
        )
        self.subtitle.setWordWrap(True)
        column.addWidget(self.subtitle)
        return box

    def _subtitle_text(self) -> str:
        if self._locked_actor is None:
            return self.tr("Informe seu usuário e sua senha.")
        return self.tr(
            "Sessão bloqueada por inatividade. Digite a senha de {name} para continuar."
        ).format(name=self._locked_actor.full_name)

    def _load_place(self) -> None:
        """Say which secretariat and installation this is (a clerk may use more than one)."""
        db = self.db
        assert db is not None

        def work() -> InstallationInfo | None:
            from app.installation.service import installation_info

            with db.read_only() as session:
                return installation_info(session)

        self.ops.run(work, self._show_place, lambda _exc: None, self)

    def _show_place(self, info: InstallationInfo | None) -> None:
        if info is not None:
            self.place.setText(
                self.tr("Secretaria Municipal de Saúde de {town}/{uf}\n{node}").format(
                    town=info.municipality, uf=info.uf, node=info.name
                )
            )

    def _build_form(self) -> FormLayout:
        self.form = FormLayout()
        self.username = QLineEdit()
        self.username.setMaxLength(40)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(128)
        self.form.add_field("username", self.tr("&Usuário:"), self.username)
        self.form.add_field("password", self.tr("&Senha:"), self.password)
        self.form.submit_on_enter(self.password)
        if self._locked_actor is not None:
            self.username.setText(self._locked_actor.username)
            self.username.setReadOnly(True)
            self.username.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.password.setFocus()
        return self.form

    def _build_error(self) -> QLabel:
        # Always in place (two lines high) so the window does not jump when a message appears.
        self.error_label = QLabel()
        self.error_label.setObjectName("login_error")
        self.error_label.setWordWrap(True)
        self.error_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 4)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return self.error_label

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        locked = self._locked_actor is not None
        self.submit_button = QPushButton(self.tr("Desbloquear") if locked else self.tr("Entrar"))
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole)
        leave = QPushButton(self.tr("Encerrar sessão") if locked else self.tr("Cancelar"))
        leave.setObjectName("login_leave")
        leave.setAutoDefault(False)
        leave.clicked.connect(self._leave)
        buttons.addButton(leave, QDialogButtonBox.ButtonRole.RejectRole)
        return buttons

    # --- behaviour --------------------------------------------------------------------------

    def error_text(self) -> str:
        """What the dialog is telling the user right now ("" when nothing)."""
        return self.error_label.text()

    def submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        db = self.db
        if db is None:  # still opening (the button is disabled; Enter may still arrive)
            return
        if not username or not password:
            self._show_error(self.tr("Informe o usuário e a senha."))
            return
        self._set_busy(True)
        self.ops.run(
            lambda: attempt_login(db, username, password),
            self._answered,
            self._failed,
            self,
        )

    def _answered(self, result: LoginResult) -> None:
        self._set_busy(False)
        if result.actor is None:
            self._show_error(result.error or self.tr("Entrada recusada."))
        elif result.must_change_password:
            self._ask_new_password(result.actor)
        else:
            self._succeed(result.actor)
        self.attempt_finished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        show_error(self, exc)
        self.attempt_finished.emit(None)

    def _succeed(self, actor: Actor) -> None:
        self.actor = actor
        self.error_label.clear()
        self.accept()

    def _ask_new_password(self, actor: Actor) -> None:
        assert self.db is not None  # a login happened, so the database is open
        dialog = ChangePasswordDialog(
            self.db, self.ops, actor, self, forced=True, current_password=self.password.text()
        )
        dialog.accepted.connect(lambda: self._succeed(actor))
        dialog.rejected.connect(
            lambda: self._show_error(self.tr("É preciso escolher uma nova senha para entrar."))
        )
        self.change_password_dialog = dialog
        dialog.open()

    def _say(self, text: str, *, error: bool) -> None:
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR if error else HINT_COLOR};")
        self.error_label.setText(text)

    def _show_error(self, message: str) -> None:
        self._say(message, error=True)
        self.password.clear()
        self.password.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.submit_button.setEnabled(not busy)
        self.password.setReadOnly(busy)
        self._say(self.tr("Verificando…") if busy else "", error=False)

    def _leave(self) -> None:
        self._leaving = True
        self.reject()

    def reject(self) -> None:
        # Locked: Esc and the window's close button must not reveal the session behind.
        if self._locked_actor is not None and not self._leaving:
            return
        self._leaving = False
        super().reject()


class ChangePasswordDialog(QDialog):
    """The user's own password change: current, new, confirmation; errors beside each field.

    Signals:
        answered(bool): the service answered (True when the password was changed).
    """

    answered = Signal(bool)

    def __init__(
        self,
        db: Database,
        ops: OpRunner,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        forced: bool = False,
        current_password: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("change_password_dialog")
        self.setWindowTitle(self.tr("Trocar senha"))
        self.db, self.ops, self.actor = db, ops, actor
        self._build_ui(forced)
        self.old_password.setText(current_password)
        (self.new_password if current_password else self.old_password).setFocus()

    def _build_ui(self, forced: bool) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(self._intro_text(forced))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self._build_form())
        self.form_error = ErrorLabel("form")
        layout.addWidget(self.form_error)
        layout.addWidget(self._build_buttons())
        self.setMinimumWidth(440)

    def _intro_text(self, forced: bool) -> str:
        if forced:
            return self.tr(
                "Sua senha foi definida pelo administrador. Escolha agora uma senha só sua "
                "(pelo menos 8 caracteres)."
            )
        return self.tr("Escolha uma nova senha (pelo menos 8 caracteres).")

    def _password_field(self) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(128)
        return field

    def _build_form(self) -> FormLayout:
        self.form = FormLayout()
        self.old_password = self._password_field()
        self.new_password = self._password_field()
        self.confirm_password = self._password_field()
        self.form.add_field("old_password", self.tr("Senha &atual:"), self.old_password)
        self.form.add_field("new_password", self.tr("&Nova senha:"), self.new_password)
        self.form.add_field("confirm_password", self.tr("&Repita a nova senha:"),
                            self.confirm_password)  # fmt: skip
        self.form.submit_on_enter(self.confirm_password)
        return self.form

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText(self.tr("Trocar senha"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancelar"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        return buttons

    def save(self) -> None:
        old, new = self.old_password.text(), self.new_password.text()
        if new != self.confirm_password.text():
            self.form.show_errors({"confirm_password": self.tr("As senhas não conferem.")})
            self.confirm_password.setFocus()
            return
        self.form.clear_errors()
        self.form_error.show_message(None)
        self.save_button.setEnabled(False)
        self.ops.run(self._work(old, new), self._changed, self._refused, self)

    def _work(self, old: str, new: str) -> Callable[[], None]:
        db, actor = self.db, self.actor

        def work() -> None:
            from app.security.auth import change_password

            with db.unit_of_work(actor.username) as session:
                change_password(session, actor, old, new)

        return work

    def _changed(self, _result: object) -> None:
        self.answered.emit(True)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            rest = self.form.show_errors(exc.errors)
            self.form_error.show_message(" ".join(rest.values()) or None)
        else:
            show_error(self, exc)
        self.answered.emit(False)
