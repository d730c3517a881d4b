"""First-run setup: the municipality, this installation and the first administrator, in 3 pages.

Each page checks what it can on the spot (the IBGE code live, against the UF; the CNES as the
field is left; the passwords) so the clerk learns about a problem on the page where it is. On
"Concluir" the wizard sends everything to `app.installation.service.complete_setup` in a worker;
if the service still refuses something, the wizard goes back to the page of the first field it
names and shows each message beside its field. `BrasaoPicker` (the municipality's coat of arms,
shrunk to at most 300 px and kept as PNG bytes) is reused by the settings dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QRegularExpression,
    Qt,
    Signal,
)
from PySide6.QtGui import QImage, QPixmap, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.brazil.ibge import UFS, municipality_error, municipality_name, municipality_uf
from app.brazil.identifiers import cnes_error
from app.db.session import Database
from app.errors import ValidationError
from app.installation.models import NodeKind
from app.installation.service import BRAZIL_TIMEZONES, SetupInput, complete_setup
from app.security.passwords import password_error
from ui.ops import OpRunner, show_error
from ui.widgets.fields import DocumentField, ErrorLabel, FormLayout

BRASAO_MAX_PX = 300
PREVIEW_PX = 88
OK_COLOR = "#1b6e3a"

# The usual zone of each UF (a few states span two zones; the combo lets the clerk change it).
UF_ZONES: dict[str, str] = {
    "AC": "America/Rio_Branco", "AM": "America/Manaus", "RR": "America/Boa_Vista",
    "RO": "America/Porto_Velho", "MT": "America/Cuiaba", "MS": "America/Campo_Grande",
    "PA": "America/Belem", "AP": "America/Belem", "TO": "America/Araguaina",
    "MA": "America/Fortaleza", "PI": "America/Fortaleza", "CE": "America/Fortaleza",
    "RN": "America/Fortaleza", "PB": "America/Fortaleza", "PE": "America/Recife",
    "AL": "America/Maceio", "SE": "America/Maceio", "BA": "America/Bahia",
}  # fmt: skip
DEFAULT_ZONE = "America/Sao_Paulo"

# Service field names that the wizard shows under another name.
_FIELD_ALIASES = {"username": "admin_username", "full_name": "admin_full_name",
                  "password": "admin_password"}  # fmt: skip


ZONE_LABELS: dict[str, str] = {
    "America/Sao_Paulo": QT_TRANSLATE_NOOP(
        "zones", "Horário de Brasília (UTC−3): DF, ES, GO, MG, PR, RJ, RS, SC, SP"
    ),
    "America/Bahia": QT_TRANSLATE_NOOP("zones", "Horário de Brasília (UTC−3): Bahia"),
    "America/Fortaleza": QT_TRANSLATE_NOOP(
        "zones", "Horário de Brasília (UTC−3): CE, MA, PB, PI, RN"
    ),
    "America/Recife": QT_TRANSLATE_NOOP("zones", "Horário de Brasília (UTC−3): Pernambuco"),
    "America/Maceio": QT_TRANSLATE_NOOP("zones", "Horário de Brasília (UTC−3): Alagoas, Sergipe"),
    "America/Belem": QT_TRANSLATE_NOOP("zones", "Horário de Brasília (UTC−3): Amapá, Pará (leste)"),
    "America/Araguaina": QT_TRANSLATE_NOOP("zones", "Horário de Brasília (UTC−3): Tocantins"),
    "America/Manaus": QT_TRANSLATE_NOOP("zones", "Horário do Amazonas (UTC−4): Amazonas (leste)"),
    "America/Cuiaba": QT_TRANSLATE_NOOP("zones", "Horário do Amazonas (UTC−4): Mato Grosso"),
    "America/Campo_Grande": QT_TRANSLATE_NOOP(
        "zones", "Horário do Amazonas (UTC−4): Mato Grosso do Sul"
    ),
    "America/Porto_Velho": QT_TRANSLATE_NOOP("zones", "Horário do Amazonas (UTC−4): Rondônia"),
    "America/Boa_Vista": QT_TRANSLATE_NOOP("zones", "Horário do Amazonas (UTC−4): Roraima"),
    "America/Rio_Branco": QT_TRANSLATE_NOOP("zones", "Horário do Acre (UTC−5): Acre"),
    "America/Eirunepe": QT_TRANSLATE_NOOP("zones", "Horário do Acre (UTC−5): Amazonas (oeste)"),
    "America/Noronha": QT_TRANSLATE_NOOP("zones", "Fernando de Noronha (UTC−2)"),
}


def zone_label(zone: str) -> str:
    """The time zone as a clerk knows it: "Horário de Brasília (UTC−3): …"."""
    label = ZONE_LABELS.get(zone)
    return QCoreApplication.translate("zones", label) if label else zone


def fill_zone_combo(combo: QComboBox, current: str = DEFAULT_ZONE) -> None:
    for zone in BRAZIL_TIMEZONES:
        combo.addItem(zone_label(zone), zone)
    select_zone(combo, current)


def select_zone(combo: QComboBox, zone: str) -> None:
    index = combo.findData(zone)
    combo.setCurrentIndex(max(index, 0))


def png_from_image(image: QImage) -> bytes:
    """The image shrunk to fit `BRASAO_MAX_PX` (never enlarged), encoded as PNG."""
    if max(image.width(), image.height()) > BRASAO_MAX_PX:
        image = image.scaled(
            BRASAO_MAX_PX,
            BRASAO_MAX_PX,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class BrasaoPicker(QWidget):
    """A small preview of the brasão with "Escolher imagem…" and "Remover".

    Signals:
        changed(): the image was chosen or removed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._png: bytes | None = None
        self.error_label = ErrorLabel("brasao")
        self._build_ui()
        self._show_preview()

    def _build_ui(self) -> None:
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.preview = QLabel()
        self.preview.setObjectName("brasao_preview")
        self.preview.setFixedSize(PREVIEW_PX, PREVIEW_PX)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        buttons = QVBoxLayout()
        self.choose_button = QPushButton(self.tr("Escolher imagem…"))
        self.choose_button.clicked.connect(self._choose)
        self.remove_button = QPushButton(self.tr("Remover"))
        self.remove_button.clicked.connect(self.clear)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        row.addStretch(1)

    def png_bytes(self) -> bytes | None:
        return self._png

    def set_png(self, data: bytes | None) -> None:
        self._png = data or None
        self.error_label.show_message(None)
        self._show_preview()

    def clear(self) -> None:
        self.set_png(None)
        self.changed.emit()

    def load_file(self, path: str) -> bool:
        """Read an image file; on failure keep the previous image and say why beside the field."""
        image = QImage(path)
        if image.isNull():
            self.error_label.show_message(
                self.tr("O arquivo escolhido não é uma imagem válida (use PNG ou JPG).")
            )
            return False
        self.set_png(png_from_image(image))
        self.changed.emit()
        return True

    def _choose(self) -> None:
        dialog = QFileDialog(self, self.tr("Escolher o brasão do município"))
        dialog.setNameFilter(self.tr("Imagens (*.png *.jpg *.jpeg)"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.load_file)
        self._file_dialog = dialog
        dialog.open()

    def _show_preview(self) -> None:
        self.remove_button.setEnabled(self._png is not None)
        if self._png is None:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(self.tr("sem\nbrasão"))
            return
        pixmap = QPixmap()
        pixmap.loadFromData(self._png, "PNG")
        self.preview.setPixmap(
            pixmap.scaled(
                PREVIEW_PX,
                PREVIEW_PX,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )


class _FormPage(QWizardPage):
    """A wizard page holding one FormLayout whose fields can show the service's messages."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = FormLayout()
        self.setLayout(self.form)

    def local_errors(self) -> dict[str, str]:  # pragma: no cover - overridden
        return {}

    def validatePage(self) -> bool:
        errors = self.local_errors()
        self.form.show_errors(errors)
        if errors:
            self.form.fields[next(iter(errors))].setFocus()
        return not errors


class MunicipalityPage(_FormPage):
    """Município: name, UF, IBGE code (checked as typed), time zone, brasão."""

    def __init__(self) -> None:
        super().__init__(
            self.tr("Município"),
            self.tr("Os dados do município aparecem no cabeçalho de todo documento impresso."),
        )
        self._build_fields()
        self._build_ibge_feedback()

    def _build_fields(self) -> None:
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.name.setPlaceholderText(self.tr("como deve sair nos documentos, com acentos"))
        self.uf = QComboBox()
        self.uf.addItem(self.tr("— escolha —"), "")
        for uf in UFS:
            self.uf.addItem(uf, uf)
        self.ibge_code = QLineEdit()
        self.ibge_code.setMaxLength(7)
        self.ibge_code.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,7}"), self.ibge_code)
        )
        self.ibge_code.setPlaceholderText(self.tr("7 dígitos, ex.: 4106902"))
        self.timezone = QComboBox()
        fill_zone_combo(self.timezone)
        self.brasao = BrasaoPicker()
        self.form.add_field("municipality_name", self.tr("&Nome do município:"), self.name)
        self.form.add_field("uf", self.tr("&UF:"), self.uf)
        self.form.add_field("ibge_code", self.tr("Código &IBGE:"), self.ibge_code)
        self.form.add_field("timezone", self.tr("&Fuso horário:"), self.timezone)
        self.form.add_field("brasao", self.tr("&Brasão (opcional):"), self.brasao)

    def _build_ibge_feedback(self) -> None:
        self.ibge_found = QLabel()
        self.ibge_found.setObjectName("ibge_found")
        self.ibge_found.setStyleSheet(f"color: {OK_COLOR};")
        cell = self.form.error_labels["ibge_code"].parentWidget()
        cell.layout().addWidget(self.ibge_found)
        self.ibge_found.hide()
        self.ibge_code.textChanged.connect(self._check_ibge)
        self.ibge_code.editingFinished.connect(lambda: self._check_ibge(final=True))
        self.uf.currentIndexChanged.connect(self._uf_changed)

    def _uf_changed(self) -> None:
        uf = self.uf.currentData()
        if uf:
            select_zone(self.timezone, UF_ZONES.get(uf, DEFAULT_ZONE))
        self._check_ibge()

    def _check_ibge(self, _text: str = "", *, final: bool = False) -> None:
        """Say at once whether the code is a municipality of the UF, and which one."""
        code, uf = self.ibge_code.text(), self.uf.currentData() or ""
        if len(code) == 7 and not uf and municipality_uf(code):
            self.uf.setCurrentIndex(self.uf.findData(municipality_uf(code)))
            return  # the UF change checks again
        ready = len(code) == 7 or (final and code)
        problem = municipality_error(code, uf) if ready else None
        self.form.error_labels["ibge_code"].show_message(problem)
        found = municipality_name(code) if ready and not problem else None
        self.ibge_found.setText(
            self.tr("Município encontrado: {name}/{uf}").format(name=found, uf=uf) if found else ""
        )
        self.ibge_found.setVisible(bool(found))

    def local_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if len(self.name.text().strip()) < 2:
            errors["municipality_name"] = self.tr("Informe o nome do município.")
        if not self.uf.currentData():
            errors["uf"] = self.tr("Escolha a UF.")
        code = self.ibge_code.text()
        problem = municipality_error(code, self.uf.currentData() or None)
        if problem or not code:
            errors["ibge_code"] = problem or self.tr("Informe o código IBGE do município.")
        if self.brasao.error_label.text() and self.brasao.error_label.isVisibleTo(self):
            errors["brasao"] = self.brasao.error_label.text()
        return errors


class InstallationPage(_FormPage):
    """Esta instalação: its name, its kind and, for a unit or a field team, its CNES."""

    def __init__(self) -> None:
        super().__init__(
            self.tr("Esta instalação"),
            self.tr(
                "Identifica este computador (ou servidor) quando os dados forem sincronizados."
            ),
        )
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.name.setPlaceholderText(self.tr("ex.: Secretaria — sede, UBS Centro"))
        self.form.add_field("installation_name", self.tr("&Nome da instalação:"), self.name)
        self.form.add_field("kind", self.tr("Tipo:"), self._build_kinds())
        self._build_cnes()

    def _build_kinds(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.kinds = QButtonGroup(self)
        for index, kind in enumerate(NodeKind):
            button = QRadioButton(kind.label)
            button.setObjectName(f"kind_{kind.value}")
            self.kinds.addButton(button, index)
            column.addWidget(button)
        self.kinds.button(0).setChecked(True)
        self.kinds.idToggled.connect(self._kind_changed)
        return box

    def _build_cnes(self) -> None:
        self.cnes = DocumentField("cnes", "unit_cnes")
        self.cnes_label_error = self.form.add_field("unit_cnes", self.tr("&CNES da unidade:"),
                                                    self.cnes)  # fmt: skip
        self.form.submit_on_enter(self.cnes)
        self.cnes_hint = QLabel()
        self.cnes_hint.setObjectName("cnes_hint")
        self.cnes_hint.setWordWrap(True)
        self.cnes.parentWidget().layout().addWidget(self.cnes_hint)
        self._kind_changed()

    def kind(self) -> NodeKind:
        return list(NodeKind)[self.kinds.checkedId()]

    def _kind_changed(self, *_args: object) -> None:
        hub = self.kind() is NodeKind.HUB
        self.cnes_hint.setText(
            self.tr("Opcional para a central.")
            if hub
            else self.tr("Obrigatório: o código CNES da unidade onde este computador fica.")
        )

    def local_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if len(self.name.text().strip()) < 2:
            errors["installation_name"] = self.tr("Dê um nome a esta instalação (ex.: UBS Centro).")
        digits = self.cnes.digits()
        if digits:
            problem = cnes_error(digits)
            if problem:
                errors["unit_cnes"] = problem
        elif self.kind() is not NodeKind.HUB:
            errors["unit_cnes"] = self.tr("Informe o CNES da unidade.")
        return errors


class AdminPage(_FormPage):
    """Administrador: the first account, with every permission."""

    def __init__(self) -> None:
        super().__init__(
            self.tr("Administrador"),
            self.tr(
                "A primeira conta, com todas as permissões. Não existe senha padrão: "
                "guarde esta senha em local seguro."
            ),
        )
        self.username = QLineEdit()
        self.username.setMaxLength(40)
        self.username.setPlaceholderText(self.tr("letras minúsculas, ex.: maria.silva"))
        self.full_name = QLineEdit()
        self.full_name.setMaxLength(120)
        self.password = self._password_field()
        self.confirm = self._password_field()
        self.form.add_field("admin_username", self.tr("Nome de &usuário:"), self.username)
        self.form.add_field("admin_full_name", self.tr("Nome &completo:"), self.full_name)
        self.form.add_field("admin_password", self.tr("&Senha:"), self.password)
        self.form.add_field("admin_confirm", self.tr("&Repita a senha:"), self.confirm)
        self.form.submit_on_enter(self.confirm)

    def _password_field(self) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(128)
        return field

    def local_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.username.text().strip():
            errors["admin_username"] = self.tr("Informe o nome de usuário.")
        if not self.full_name.text().strip():
            errors["admin_full_name"] = self.tr("Informe o nome completo.")
        problem = password_error(self.password.text(), self.username.text())
        if problem:
            errors["admin_password"] = problem
        elif self.password.text() != self.confirm.text():
            errors["admin_confirm"] = self.tr("As senhas não conferem.")
        return errors


class SetupWizard(QWizard):
    """The three pages of first-run setup; accepted once the database is configured.

    After `accepted`, `node_id` is this installation's id and `admin_username` the new account.

    Signals:
        save_finished(bool): the service answered (True when the setup was written).
    """

    save_finished = Signal(bool)

    def __init__(self, db: Database, ops: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setup_wizard")
        self.db, self.ops = db, ops
        self.node_id: str | None = None
        self.admin_username = ""
        self._saved = False
        self.setWindowTitle(self.tr("Saúde Municipal — configuração inicial"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self._build_pages()
        self._name_buttons()
        self.setMinimumSize(640, 560)

    def _build_pages(self) -> None:
        self.municipality_page = MunicipalityPage()
        self.installation_page = InstallationPage()
        self.admin_page = AdminPage()
        for page in (self.municipality_page, self.installation_page, self.admin_page):
            self.addPage(page)

    def _name_buttons(self) -> None:
        names = {
            QWizard.WizardButton.BackButton: self.tr("< &Voltar"),
            QWizard.WizardButton.NextButton: self.tr("&Avançar >"),
            QWizard.WizardButton.FinishButton: self.tr("&Concluir"),
            QWizard.WizardButton.CancelButton: self.tr("Cancelar"),
        }
        for button, text in names.items():
            self.setButtonText(button, text)

    def setup_input(self) -> SetupInput:
        town, node, admin = self.municipality_page, self.installation_page, self.admin_page
        return SetupInput(
            municipality_name=town.name.text().strip(),
            uf=town.uf.currentData() or "",
            ibge_code=town.ibge_code.text(),
            timezone=town.timezone.currentData(),
            installation_name=node.name.text().strip(),
            kind=node.kind(),
            unit_cnes=node.cnes.digits(),
            admin_username=admin.username.text().strip(),
            admin_full_name=admin.full_name.text().strip(),
            admin_password=admin.password.text(),
            brasao_png=town.brasao.png_bytes(),
        )

    def accept(self) -> None:
        if self._saved:
            super().accept()
            return
        if not self.validateCurrentPage():
            return
        data = self.setup_input()
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.ops.run(self._work(data), self._saved_ok, self._refused, self)

    def _work(self, data: SetupInput) -> Callable[[], str]:
        db = self.db

        def work() -> str:
            with db.unit_of_work("sistema") as session:
                return complete_setup(session, data)

        return work

    def _saved_ok(self, node_id: str) -> None:
        self.node_id = node_id
        self.db.node_id = node_id
        self.admin_username = self.admin_page.username.text().strip().lower()
        self._saved = True
        self.save_finished.emit(True)
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
        else:
            show_error(self, exc)
        self.save_finished.emit(False)

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Go back to the first page with a refused field; show each message beside its field."""
        named = {_FIELD_ALIASES.get(key, key): text for key, text in errors.items()}
        pages = [self.municipality_page, self.installation_page, self.admin_page]
        for page in pages:
            page.form.show_errors(named)
        target = next((i for i, p in enumerate(pages) if set(named) & set(p.form.fields)), None)
        unplaced = {k: v for k, v in named.items() if not any(k in p.form.fields for p in pages)}
        if unplaced:
            show_error(self, ValidationError(unplaced))
        while target is not None and self.currentId() > target:
            self.back()
