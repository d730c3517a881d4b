"""The printed licença sanitária: the paper an establishment hangs on its wall.

"LICENÇA SANITÁRIA Nº 0001/2026" (with "PROVISÓRIA" when so, and "2ª VIA" on reprints), the
granting sentence with its legal basis, the establishment (names, CNPJ/CPF, address, technical
responsible), the licensed activities and risk, the validity in large print, the signature of
the VISA authority and how anyone can check it (the verification code and QR in the footer).
Only layout lives here: `app.sanitary.licence_printing.print_licence` gathers the data and
issues it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Table, TableStyle

from app.reports import styles
from app.reports.components import field_grid, section_title, signature_block, spacer, text
from app.reports.page import CONTENT_WIDTH, PageInfo, build_pdf

PROVISIONAL_BASIS = "RDC Anvisa nº 153/2017, alterada pela RDC nº 418/2020"

_VALIDITY = ParagraphStyle(
    "licence_validity", fontName=styles.FONT_BOLD, fontSize=16, leading=20,
    alignment=TA_CENTER, textColor=styles.ACCENT,
)  # fmt: skip
_COPY = ParagraphStyle(
    "licence_copy", fontName=styles.FONT_BOLD, fontSize=12, leading=15, alignment=TA_CENTER,
    textColor=styles.INK,
)  # fmt: skip


@dataclass(frozen=True)
class LicencePrint:
    """Everything printed on a licence."""

    number: str
    provisional: bool
    copy: int  # 1 = first print, 2 = "2ª via", …
    legal_name: str
    trade_name: str
    document: str  # "CNPJ 12.345.678/0001-95"
    address: str
    activities: str  # one activity per line
    risk: str
    issued_on: date
    valid_until: date
    technical: str
    department: str
    legal_basis: str


def licence_title(data: LicencePrint) -> str:
    """ "Licença Sanitária nº 0001/2026 – Provisória – 2ª via"."""
    title = f"Licença Sanitária nº {data.number}"
    if data.provisional:
        title += " – Provisória"
    if data.copy > 1:
        title += f" – {data.copy}ª via"
    return title


def build_licence_pdf(info: PageInfo, data: LicencePrint) -> bytes:
    """The licence on the standard page (header, footer with code and QR)."""
    return build_pdf(info, _body(info, data))


def _body(info: PageInfo, data: LicencePrint) -> list[Flowable]:
    parts: list[Flowable] = []
    if data.copy > 1:
        parts += [text(f"{data.copy}ª VIA", _COPY), spacer(2)]
    parts += [
        text(_grant(info, data)),
        *_establishment(data),
        *_activities(data),
        spacer(4),
        _validity(data),
        spacer(3),
        text(_conditions(data), styles.NOTE),
        spacer(10),
        signature_block([(f"Autoridade sanitária – {data.department}", info.secretariat)]),
        *_verification(info),
    ]
    return parts


def _grant(info: PageInfo, data: LicencePrint) -> str:
    kind = "LICENÇA SANITÁRIA PROVISÓRIA" if data.provisional else "LICENÇA SANITÁRIA"
    base = (
        f"A {data.department} da {info.secretariat} de {info.municipality_name}, no uso de suas "
        f"atribuições legais e com fundamento em {data.legal_basis}, concede {kind} ao "
        "estabelecimento abaixo identificado, para o exercício das atividades relacionadas"
    )
    if data.provisional:
        return (
            f"{base}, classificadas como de risco II (médio), nos termos da {PROVISIONAL_BASIS}, "
            "ficando o estabelecimento sujeito a inspeção sanitária posterior."
        )
    return f"{base}, conforme as condições verificadas em inspeção sanitária."


def _establishment(data: LicencePrint) -> list[Flowable]:
    grid = field_grid(
        [
            ("Razão social / nome", data.legal_name, 3),
            ("CNPJ / CPF", data.document.split(" ", 1)[-1]),
            ("Nome fantasia", data.trade_name, 2),
            ("Responsável técnico", data.technical, 2),
            ("Endereço", data.address, 3),
            ("Grau de risco", data.risk),
        ],
        columns=4,
    )
    return [section_title("Estabelecimento"), grid]


def _activities(data: LicencePrint) -> list[Flowable]:
    lines = [line for line in data.activities.splitlines() if line.strip()]
    body = [text(line, styles.BODY_LEFT) for line in lines] or [text("—")]
    return [section_title("Atividades licenciadas (CNAE)"), *body]


def _validity(data: LicencePrint) -> Table:
    rows = [
        [text(f"VÁLIDA ATÉ {styles.format_date(data.valid_until)}", _VALIDITY)],
        [text(f"Emitida em {styles.date_in_words(data.issued_on)}.", _centred_note())],
    ]
    table = Table(rows, colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, styles.ACCENT),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _centred_note() -> ParagraphStyle:
    return ParagraphStyle("licence_issued", parent=styles.NOTE, alignment=TA_CENTER)


def _conditions(data: LicencePrint) -> str:
    text_ = (
        "Esta licença deve ser mantida em local visível ao público. Alteração de endereço, de "
        "atividade ou do responsável técnico exige nova licença. A licença pode ser revogada a "
        "qualquer tempo se deixarem de existir as condições que a fundamentaram."
    )
    if data.provisional:
        text_ = "Licença provisória, sem inspeção prévia. " + text_
    return text_


def _verification(info: PageInfo) -> list[Flowable]:
    hint = (
        "Para conferir a autenticidade e a validade desta licença, leia o QR Code ou informe o "
        f"código de verificação {info.code} (impresso no rodapé) à {info.secretariat}. A consulta "
        "diz se a licença está válida, vencida ou revogada."
    )
    return [section_title("Verificação"), text(hint, styles.NOTE)]
