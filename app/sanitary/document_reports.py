"""The PDFs of the five legal documents of Vigilância Sanitária, on the standard A4 page.

`build_document_pdf(info, detail, reprint=)` lays out one document as issued (`DocumentDetail`):
the opening sentence, the establishment's identification, what that kind of paper states (the
facts and the items of a termo, the deadline written out, the gravity and fine range of an auto de
infração, the sample and its chain of custody, the extent of an interdiction), the legal basis,
the closing sentence, place and date in words and the signature blocks (or the refusal to sign,
attested by two witnesses). A reprint says "2ª VIA" and a cancelled document "CANCELADO", in a
band at the top and across the first page; the page header (which carries the title) repeats the
mark on every page. The caller (`app.sanitary.document_actions.print_document`) issues it through
`app.reports.issue` with `legal=True`, which adds the verification code and its QR.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from app.brazil.calendar import number_in_words
from app.reports import styles
from app.reports.components import (
    chunked_table,
    column_widths,
    field_grid,
    section_title,
    signature_rows,
    text,
)
from app.reports.page import CONTENT_WIDTH, PAGE_HEIGHT, PAGE_WIDTH, PageInfo, build_pdf
from app.sanitary.document_queries import DocumentDetail
from app.sanitary.enums import DocumentKind

REPRINT_MARK = "2ª VIA"
CANCELLED_MARK = "CANCELADO"
MARK_RED = colors.HexColor("#B00020")
MARK_GREY = colors.HexColor("#5A6B7B")
ITEM_HEADER = ("Item", "Exigência / irregularidade constatada", "Classificação", "Referência legal")
ITEM_WIDTHS = column_widths(7, 55, 14, 24)
PLACE_STYLE = ParagraphStyle("place", parent=styles.BODY, alignment=TA_RIGHT, spaceBefore=6)
BAND_STYLE = ParagraphStyle(
    "band", parent=styles.BODY, fontName=styles.FONT_BOLD, fontSize=11, leading=14,
    alignment=TA_CENTER,
)  # fmt: skip
BAND_NOTE = ParagraphStyle("band_note", parent=styles.NOTE, alignment=TA_CENTER)
STATEMENT = ParagraphStyle("statement", parent=styles.BODY, spaceBefore=4, spaceAfter=2)

OPENING = {
    DocumentKind.INSPECTION_REPORT: "lavra o presente TERMO DE INSPEÇÃO, registrando a inspeção "
    "sanitária realizada no estabelecimento abaixo identificado",
    DocumentKind.SUMMONS: "lavra o presente TERMO DE INTIMAÇÃO/NOTIFICAÇÃO em face do "
    "estabelecimento abaixo identificado, para que corrija as irregularidades relacionadas",
    DocumentKind.INFRACTION: "lavra o presente AUTO DE INFRAÇÃO SANITÁRIA em face do "
    "estabelecimento abaixo identificado, pelos fatos e fundamentos a seguir expostos",
    DocumentKind.SAMPLE: "lavra o presente AUTO DE COLETA DE AMOSTRA, registrando a coleta "
    "realizada no estabelecimento abaixo identificado para análise fiscal",
    DocumentKind.INTERDICTION: "lavra o presente TERMO DE INTERDIÇÃO em face do "
    "estabelecimento abaixo identificado, pelos motivos a seguir expostos",
}
RECEIVER_ROLE = {
    DocumentKind.INFRACTION: "Autuado(a) ou representante",
}
DEFAULT_RECEIVER_ROLE = "Responsável pelo estabelecimento"
NO_NONCONFORMITY = "Nenhum item do roteiro foi considerado não conforme."


def _p(markup: str, style: ParagraphStyle = STATEMENT) -> Paragraph:
    """A paragraph whose markup is ours (values inside must already be escaped with `_e`)."""
    return Paragraph(markup, style)


def _e(value: str) -> str:
    return escape(value)


def _day(value: date | None) -> str:
    return styles.format_date(value) if value else "—"


def _iso_day(value: Any) -> str:
    try:
        return styles.format_date(date.fromisoformat(str(value))) if value else ""
    except ValueError:
        return str(value)


# --- marks: 2ª via, cancelado ---------------------------------------------------------------------


class DiagonalMark(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """A large translucent word across the page it lands on; takes no room in the flow."""

    def __init__(self, word: str, color: colors.Color) -> None:
        super().__init__()
        self.word = word
        self.color = color

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return 0, 0

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        canvas.saveState()
        canvas.setFillColor(self.color, alpha=0.13)
        canvas.setFont(styles.FONT_BOLD, 78)
        # drawOn gets page coordinates (draw() would be translated into the flow): page centre
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(35)
        canvas.drawCentredString(0, -26, self.word)
        canvas.restoreState()

    def draw(self) -> None:  # the drawing happens in drawOn
        return None


def _band(title: str, note: str, color: colors.Color) -> Table:
    table = Table(
        [[_p(_e(title), ParagraphStyle("t", parent=BAND_STYLE, textColor=color))],
         [_p(_e(note), BAND_NOTE)]],
        colWidths=[CONTENT_WIDTH],
    )  # fmt: skip
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.4, color),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    table.spaceAfter = 4
    return table


def _marks(detail: DocumentDetail, reprint: bool) -> list[Flowable]:
    """The band (and the word across the page) of a cancelled document or of a reprint."""
    copy = (
        f"Reimpressão do documento emitido em {styles.format_date(detail.issued_on)}, com o "
        "mesmo número e o mesmo teor do original."
    )
    if detail.cancelled_at is not None:
        note = (
            f"Documento cancelado em {styles.format_date(detail.cancelled_at.date())}. "
            f"Motivo: {detail.cancel_reason}. O número {detail.number_label} permanece registrado "
            "como cancelado e não será reutilizado. Este documento não produz efeitos."
        )
        title = f"{CANCELLED_MARK} – {REPRINT_MARK}" if reprint else CANCELLED_MARK
        note = f"{note} {copy}" if reprint else note
        return [DiagonalMark(CANCELLED_MARK, MARK_RED), _band(title, note, MARK_RED)]
    if reprint:
        return [DiagonalMark(REPRINT_MARK, MARK_GREY), _band(REPRINT_MARK, copy, MARK_GREY)]
    return []


def _listed(values: Sequence[str]) -> str:
    """`a, b e c`."""
    parts = [value for value in values if value]
    return " e ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


# --- common parts ---------------------------------------------------------------------------------


def _opening(detail: DocumentDetail) -> Paragraph:
    day = styles.date_in_words(detail.issued_on)
    inspection = ""
    if detail.inspection_date is not None and detail.kind is not DocumentKind.INSPECTION_REPORT:
        inspection = ", em decorrência da inspeção sanitária realizada em "
        inspection += f"{_day(detail.inspection_date)}"
    return _p(
        f"Em {_e(day)}, a autoridade sanitária abaixo assinada, no exercício das atribuições "
        f"que lhe confere a legislação sanitária{inspection}, {OPENING[detail.kind]}."
    )


def _establishment(detail: DocumentDetail) -> list[Flowable]:
    e = detail.establishment
    address = e.address + (f" – CEP {e.cep}" if e.cep else "")
    grid = field_grid(
        [
            ("Razão social / nome", e.legal_name, 2),
            ("CNPJ / CPF", e.document_label),
            ("Nome fantasia", e.trade_name, 2),
            ("Responsável legal", e.representative),
            ("Endereço", address, 2),
            ("Bairro", e.district),
            ("Atividade principal (CNAE)", e.main_activity, 2),
            ("Responsável técnico", e.technical),
        ],
        columns=3,
    )
    return [section_title("Identificação do estabelecimento"), grid]


def _inspection(detail: DocumentDetail) -> list[Flowable]:
    """The inspection's date, reason and outcome (the termo de inspeção only)."""
    if detail.inspection_date is None:
        return []
    grid = field_grid(
        [
            ("Data da inspeção", _day(detail.inspection_date)),
            ("Motivo", detail.inspection_reason),
            ("Resultado da inspeção", detail.outcome or "Não informado"),
        ],
        columns=3,
    )
    return [section_title("Da inspeção"), grid]


def _paragraphs(title: str, body: str) -> list[Flowable]:
    if not body.strip():
        return []
    parts: list[Flowable] = [section_title(title)]
    parts += [text(line, STATEMENT) for line in body.splitlines() if line.strip()]
    return parts


def _item_rows(detail: DocumentDetail) -> list[tuple[str, str, str, str]]:
    rows = []
    for item in detail.items:
        described = item.text + (f"\nObservação: {item.observation}" if item.observation else "")
        rows.append((item.code, described, item.classification, item.legal_reference))
    return rows


def _items(detail: DocumentDetail, title: str, empty: str) -> list[Flowable]:
    parts: list[Flowable] = [section_title(title)]
    if not detail.items:
        return [*parts, text(empty, STATEMENT)]
    return [*parts, *chunked_table(ITEM_HEADER, _item_rows(detail), ITEM_WIDTHS)]


def _grounds(detail: DocumentDetail) -> str:
    """`Com fundamento na legislação sanitária (Lei …)` — the configured basis, as written."""
    return f"Com fundamento na legislação sanitária ({_e(detail.legal_basis)})"


def _place_and_date(info: PageInfo, detail: DocumentDetail) -> Paragraph:
    place = f"{info.municipality_name} – {info.uf.upper()}"
    return _p(f"{_e(place)}, {_e(styles.date_in_words(detail.issued_on))}.", PLACE_STYLE)


def _inspector_signer(detail: DocumentDetail) -> tuple[str, str]:
    registration = (
        f" – Matrícula {detail.inspector_registration}" if detail.inspector_registration else ""
    )
    return detail.inspector_name, f"{detail.inspector_title}{registration}"


def _signatures(detail: DocumentDetail) -> list[Flowable]:
    inspector = _inspector_signer(detail)
    role = RECEIVER_ROLE.get(detail.kind, DEFAULT_RECEIVER_ROLE)
    if not detail.refused_to_sign:
        receiver = (detail.receiver_name, f"{role} – Documento: {detail.receiver_document}")
        note = text("Recebi uma via deste documento e dele tomei ciência.", styles.NOTE)
        return [note, *signature_rows([inspector, receiver])]
    who = detail.receiver_name or "O(A) responsável pelo estabelecimento"
    refusal = _p(
        f"<b>Recusou-se a assinar.</b> {_e(who)} recusou-se a assinar e a receber este documento, "
        "o que é atestado pelas testemunhas abaixo identificadas."
    )
    witnesses = [
        (name, f"{index}ª testemunha – Documento: {document}")
        for index, (name, document) in enumerate(detail.witnesses, start=1)
    ]
    return [refusal, *signature_rows([inspector, *witnesses])]


# --- per kind -------------------------------------------------------------------------------------


def _deadline_text(detail: DocumentDetail) -> str:
    return detail.deadline.sentence() if detail.deadline else ""


Parts = tuple[list[Flowable], list[Flowable]]  # the body, and the closing kept with the signatures


def _report_body(detail: DocumentDetail) -> Parts:
    body = [
        *_inspection(detail),
        *_paragraphs("Dos fatos constatados", detail.facts or "Nada a registrar."),
        *_items(detail, "Itens não conformes", NO_NONCONFORMITY),
    ]
    closing = _p(
        f"{_grounds(detail)}, este termo registra a inspeção realizada. As exigências e prazos "
        "para a correção das irregularidades, quando houver, constam de termo de intimação próprio."
    )
    return body, [closing]


def _summons_body(detail: DocumentDetail) -> Parts:
    body = [
        *_paragraphs("Dos fatos constatados", detail.facts),
        *_items(detail, "Itens a corrigir", ""),
    ]
    closing = [
        section_title("Do prazo"),
        _p(
            f"{_grounds(detail)}, fica o estabelecimento acima identificado <b>INTIMADO</b> a "
            "corrigir as "
            "irregularidades relacionadas no prazo de "
            f"<b>{_e(_deadline_text(detail))}</b>, contados do recebimento deste termo. O não "
            "cumprimento desta intimação no prazo fixado sujeita o infrator às penalidades "
            "previstas na legislação sanitária, sem prejuízo das demais sanções cabíveis."
        ),
    ]
    return body, closing


def _penalty(detail: DocumentDetail) -> list[Flowable]:
    gravity = detail.gravity.label.lower() if detail.gravity else ""
    grid = field_grid(
        [("Classificação da infração", gravity.capitalize()), ("Multa prevista", detail.fine_text)]
    )
    sentence = _p(
        f"A infração é classificada como <b>{_e(gravity)}</b>, sujeitando o infrator à pena de "
        f"multa <b>{_e(detail.fine_text)}</b>, nos termos da legislação sanitária "
        f"({_e(detail.legal_basis)}), sem "
        "prejuízo das demais penalidades cabíveis."
    )
    return [section_title("Da classificação da infração e da penalidade"), grid, sentence]


def _infraction_body(detail: DocumentDetail) -> Parts:
    deadline = detail.deadline
    defence = (
        f"{deadline.words}, contados da ciência deste auto, até {_day(deadline.ends_on)}"
        if deadline
        else ""
    )
    body = _paragraphs("Dos fatos", detail.facts)
    if detail.items:
        body += _items(detail, "Irregularidades constatadas no roteiro de inspeção", "")
    body += _paragraphs("Dos dispositivos legais infringidos", detail.provisions)
    body += _penalty(detail)  # flows: only the defence notice is kept with the signatures
    closing = [
        section_title("Da defesa"),
        _p(
            "Fica o autuado notificado de que poderá apresentar defesa ou impugnação, por escrito, "
            f"dirigida à autoridade sanitária competente, no prazo de <b>{_e(defence)}</b>. "
            "Findo o prazo sem defesa, o processo seguirá para julgamento."
        ),
    ]
    return body, closing


def _collected_at(sample: dict[str, Any], info: PageInfo) -> str:
    value = sample.get("collected_at")
    if not value:
        return ""
    return styles.format_datetime_local(datetime.fromisoformat(str(value)), info.timezone)


def _units(count: int) -> str:
    return f"{count} unidade" if count == 1 else f"{count} unidades"


def _sample_grids(sample: dict[str, Any]) -> list[Flowable]:
    quantity = f"{sample.get('quantity', '')} {sample.get('unit', '')}".strip()
    grid = field_grid(
        [
            ("Produto", sample.get("product", ""), 2),
            ("Marca", sample.get("brand", "")),
            ("Lote", sample.get("lot", "")),
            ("Data de fabricação", _iso_day(sample.get("manufactured_on"))),
            ("Data de validade", _iso_day(sample.get("expires_on"))),
            ("Quantidade coletada", quantity),
            ("Unidades por amostra", _units(int(sample.get("units_per_sample") or 0))),
            ("Partes da amostra", _listed(sample.get("portions", []))),
            ("Lacres (números)", _listed(sample.get("seals", [])), 2),
            ("Laboratório", sample.get("laboratory", "")),
            ("Análise solicitada", sample.get("analysis", ""), 3),
        ],
        columns=3,
    )
    return [section_title("Da amostra"), grid]


def _custody(sample: dict[str, Any], info: PageInfo) -> list[Flowable]:
    blank = "____/____/________"
    grid = field_grid(
        [
            ("Coletada por", sample.get("collected_by", "")),
            ("Data e hora da coleta", _collected_at(sample, info)),
            ("Condições de transporte", sample.get("transport", ""), 2),
            ("Recebida no laboratório por", sample.get("received_by") or " "),
            ("Data do recebimento", _iso_day(sample.get("received_on")) or blank),
        ],
        columns=2,
    )
    return [section_title("Cadeia de custódia"), grid]


def _sample_body(detail: DocumentDetail, info: PageInfo) -> Parts:
    sample = detail.sample
    count = len(sample.get("portions", []))
    body = [
        *_sample_grids(sample),
        *_custody(sample, info),
        *_paragraphs("Observações", detail.facts),
    ]
    closing = _p(
        f"{_grounds(detail)}, a amostra foi dividida em {count} "
        f"({_e(number_in_words(count))}) parte(s) "
        f"({_e(_listed(sample.get('portions', [])))}), tornadas invioláveis pelos lacres acima "
        "indicados. A contraprova, quando houver, fica em poder do detentor ou responsável; as "
        "demais partes seguem ao laboratório indicado, para análise fiscal. O resultado será "
        "comunicado ao interessado."
    )
    return body, [closing]


def _interdiction_body(detail: DocumentDetail) -> Parts:
    total = detail.extent == "total"
    extent = "Total" if total else "Parcial"
    grid = field_grid([("Extensão", extent), ("Objeto da interdição", detail.interdicted, 2)], 3)
    how = "TOTALMENTE" if total else "PARCIALMENTE"
    body = [
        section_title("Da interdição"),
        grid,
        *_paragraphs("Dos motivos", detail.facts),
    ]
    closing = _p(
        f"{_grounds(detail)}, fica o estabelecimento acima identificado "
        f"<b>INTERDITADO {how}</b> a partir desta "
        "data, sendo vedado o uso do que foi interditado até a desinterdição pela autoridade "
        "sanitária. O descumprimento desta interdição constitui infração sanitária, sujeita "
        "às penalidades previstas na legislação vigente."
    )
    return body, [closing]


def _body(detail: DocumentDetail, info: PageInfo) -> Parts:
    kind = detail.kind
    if kind is DocumentKind.INSPECTION_REPORT:
        return _report_body(detail)
    if kind is DocumentKind.SUMMONS:
        return _summons_body(detail)
    if kind is DocumentKind.INFRACTION:
        return _infraction_body(detail)
    if kind is DocumentKind.SAMPLE:
        return _sample_body(detail, info)
    return _interdiction_body(detail)


def document_flowables(
    info: PageInfo, detail: DocumentDetail, *, reprint: bool
) -> Sequence[Flowable]:
    """The whole body of a document, from the marks at the top to the signatures."""
    body, closing = _body(detail, info)
    ending = [*closing, _place_and_date(info, detail), *_signatures(detail)]
    return [
        *_marks(detail, reprint),
        _opening(detail),
        *_establishment(detail),
        *body,
        KeepTogether(ending),
    ]


def build_document_pdf(info: PageInfo, detail: DocumentDetail, *, reprint: bool) -> bytes:
    """The PDF of one document; the title of `info` carries the marks (see `print_title`)."""
    return build_pdf(info, document_flowables(info, detail, reprint=reprint))


def print_title(detail: DocumentDetail, *, reprint: bool) -> str:
    """The page title: `Auto de Infração Sanitária nº 0001/2026 – 2ª via – CANCELADO`."""
    title = detail.title + (f" – {REPRINT_MARK}" if reprint else "")
    return title + (f" – {CANCELLED_MARK}" if detail.cancelled_at is not None else "")
