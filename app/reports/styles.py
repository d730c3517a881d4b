"""Look and wording shared by every printout: fonts, colours, paragraph styles, pt-BR formatting.

The fonts are ReportLab's built-in Helvetica family: its Latin-1/WinAnsi encoding covers every
Portuguese letter and the typographic quotes and dashes, and nothing has to be embedded. Dates,
instants, numbers and money are written the Brazilian way (`02/03/2026`, `02/03/2026 09:00` in the
municipality's time zone, `2 de março de 2026`, `1.234`, `R$ 1.234,56`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
FONT_ITALIC = "Helvetica-Oblique"

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#1F4E79")  # the dark blue of the header rule and table headers
RULE = colors.HexColor("#9AA5B1")
ZEBRA = colors.HexColor("#EEF2F6")
BOX = colors.HexColor("#B8C2CC")

MONTHS = (
    "janeiro", "fevereiro", "março", "abril", "maio", "junho",
    "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
)  # fmt: skip

# Brazil has had no daylight saving time since 2019, so when the machine lacks the time zone
# database (Windows without the `tzdata` package) the fixed offsets below are still exact.
_BRAZIL_OFFSETS = {
    "America/Noronha": -2,
    "America/Sao_Paulo": -3,
    "America/Bahia": -3,
    "America/Fortaleza": -3,
    "America/Recife": -3,
    "America/Belem": -3,
    "America/Maceio": -3,
    "America/Araguaina": -3,
    "America/Santarem": -3,
    "America/Manaus": -4,
    "America/Cuiaba": -4,
    "America/Campo_Grande": -4,
    "America/Porto_Velho": -4,
    "America/Boa_Vista": -4,
    "America/Rio_Branco": -5,
    "America/Eirunepe": -5,
}


def _style(name: str, **kwargs: object) -> ParagraphStyle:
    base: dict[str, object] = {"fontName": FONT, "fontSize": 9, "leading": 11.5, "textColor": INK}
    base.update(kwargs)
    return ParagraphStyle(name, **base)


BODY = _style("body", alignment=TA_JUSTIFY)
BODY_LEFT = _style("body_left", alignment=TA_LEFT)
SMALL = _style("small", fontSize=7.5, leading=9, textColor=MUTED)
NOTE = _style("note", fontSize=8.5, leading=10.5, textColor=MUTED)
SECTION = _style(
    "section",
    fontName=FONT_BOLD,
    fontSize=10,
    leading=12,
    textColor=ACCENT,
    spaceBefore=8,
    spaceAfter=3,
    keepWithNext=True,
)
FIELD_LABEL = _style("field_label", fontSize=6.5, leading=8, textColor=MUTED)
FIELD_VALUE = _style("field_value", fontSize=9.5, leading=11.5)
TABLE_HEADER = _style("table_header", fontName=FONT_BOLD, fontSize=8, leading=10)
TABLE_CELL = _style("table_cell", fontSize=8, leading=10)
SIGNATURE_NAME = _style("signature_name", fontName=FONT_BOLD, alignment=TA_CENTER, leading=11)
SIGNATURE_ROLE = _style("signature_role", fontSize=8, leading=10, alignment=TA_CENTER)
TOTAL = _style("total", fontName=FONT_BOLD, spaceBefore=6)


def format_date(value: date | None) -> str:
    """`dd/mm/aaaa`, or an empty string for no date."""
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def zone(tz_name: str) -> tzinfo:
    """The time zone called `tz_name`; Brazilian zones work even without a zone database."""
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        hours = _BRAZIL_OFFSETS.get(tz_name, -3)
        return timezone(timedelta(hours=hours))


def local_time(dt_utc: datetime, tz_name: str) -> datetime:
    """The UTC instant `dt_utc` as wall-clock time in `tz_name`."""
    aware = dt_utc if dt_utc.tzinfo is not None else dt_utc.replace(tzinfo=UTC)
    return aware.astimezone(zone(tz_name))


def format_datetime_local(dt_utc: datetime, tz_name: str) -> str:
    """`dd/mm/aaaa HH:MM` in the municipality's time zone."""
    local = local_time(dt_utc, tz_name)
    return f"{format_date(local.date())} {local.hour:02d}:{local.minute:02d}"


def date_in_words(value: date) -> str:
    """`2 de março de 2026`; the first day is written `1º`, as official texts do."""
    day = "1º" if value.day == 1 else str(value.day)
    return f"{day} de {MONTHS[value.month - 1]} de {value.year}"


def format_int(value: int) -> str:
    """`1234567` → `1.234.567`."""
    return f"{value:,}".replace(",", ".")


def format_money(value: Decimal) -> str:
    """`Decimal("1234.5")` → `R$ 1.234,50` (negative: `-R$ 1.234,50`)."""
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{abs(cents):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"-R$ {text}" if cents < 0 else f"R$ {text}"


def age_in_years(birth: date, on: date) -> int:
    """Completed years of life on `on` (0 before the first birthday)."""
    before_birthday = (on.month, on.day) < (birth.month, birth.day)
    return max(0, on.year - birth.year - int(before_birthday))


def plural(count: int, singular: str, plural_form: str) -> str:
    """`1 cidadão`, `1.234 cidadãos`."""
    return f"{format_int(count)} {singular if count == 1 else plural_form}"
