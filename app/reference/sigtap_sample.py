"""An ILLUSTRATIVE SIGTAP sample for the demo and the tests — NOT the official table of the SUS.

Two things live here. First, a generic writer of zips in the official structure of the monthly
`TabelaUnificada_AAAAMM_vAAMMDDHHMM.zip` (each table `x.txt` fixed width, Windows-1252, beside its
`x_layout.txt` CSV `Coluna,Tamanho,Inicio,Fim,Tipo`); positions are computed from the widths, so a
test can reorder or widen columns and prove the importer reads them from the layout. Second,
`write_sample_sigtap`: a SMALL ILLUSTRATIVE SAMPLE FOR DEMONSTRATION of six real primary-care
procedures (`SAMPLE_PROCEDURES`). Their codes and names are real (each code passes the mod-11
check digit of br-health §2.2 and appears in that document, in the e-SUS examples or in the
project's tests), but the occupations (CBO), instruments, sex and age limits were chosen to
exercise the checks and cover the demo's professionals; they were NOT copied from the official
table, which has thousands of procedures. Amounts (VL_SA…) are zero. Never import this sample in
production: `import_sample_sigtap` marks the version's `source` as an illustrative sample, and the
zip carries a `LEIAME.txt` saying the same.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.reference.models import ReferenceVersion
from app.reference.sigtap import SigtapImport, import_sigtap

Columns = list[tuple[str, int]]
Tables = dict[str, list[dict[str, str]]]

# Widths of tb_procedimento from br-health §2.2; relation tables as in the public parsers.
PROCEDURE_COLUMNS: Columns = [
    ("CO_PROCEDIMENTO", 10),
    ("NO_PROCEDIMENTO", 250),
    ("TP_COMPLEXIDADE", 1),
    ("TP_SEXO", 1),
    ("QT_MAXIMA_EXECUCAO", 4),
    ("QT_DIAS_PERMANENCIA", 4),
    ("QT_PONTOS", 4),
    ("VL_IDADE_MINIMA", 4),
    ("VL_IDADE_MAXIMA", 4),
    ("VL_SH", 12),
    ("VL_SA", 12),
    ("VL_SP", 12),
    ("CO_FINANCIAMENTO", 2),
    ("CO_RUBRICA", 6),
    ("QT_TEMPO_PERMANENCIA", 4),
    ("DT_COMPETENCIA", 6),
]
LAYOUTS: dict[str, Columns] = {
    "tb_procedimento": PROCEDURE_COLUMNS,
    "rl_procedimento_ocupacao": [
        ("CO_PROCEDIMENTO", 10),
        ("CO_OCUPACAO", 6),
        ("DT_COMPETENCIA", 6),
    ],
    "rl_procedimento_cid": [
        ("CO_PROCEDIMENTO", 10),
        ("CO_CID", 4),
        ("ST_PRINCIPAL", 1),
        ("DT_COMPETENCIA", 6),
    ],
    "rl_procedimento_registro": [
        ("CO_PROCEDIMENTO", 10),
        ("CO_REGISTRO", 2),
        ("DT_COMPETENCIA", 6),
    ],
    "tb_registro": [("CO_REGISTRO", 2), ("NO_REGISTRO", 50), ("DT_COMPETENCIA", 6)],
    "rl_procedimento_detalhe": [
        ("CO_PROCEDIMENTO", 10),
        ("CO_DETALHE", 3),
        ("DT_COMPETENCIA", 6),
    ],
}
NUMERIC = {"QT", "VL"}

SAMPLE_NOTE = "amostra ilustrativa para demonstração, não é a tabela oficial do SIGTAP"
README_TEXT = (
    "AMOSTRA ILUSTRATIVA PARA DEMONSTRACAO - NAO E A TABELA OFICIAL DO SIGTAP.\r\n"
    "Gerada pelo Saude Municipal com poucos procedimentos reais da atencao primaria;\r\n"
    "ocupacoes, instrumentos, sexo e idades escolhidos para a demonstracao.\r\n"
    "A tabela oficial e publicada mensalmente pelo DATASUS.\r\n"
)


def layout_text(columns: Columns) -> str:
    """The `x_layout.txt` of a table: its columns' 1-based inclusive positions, CRLF lines."""
    lines = ["Coluna,Tamanho,Inicio,Fim,Tipo"]
    start = 1
    for name, size in columns:
        kind = "NUMBER" if name[:2] in NUMERIC else "VARCHAR2"
        lines.append(f"{name},{size},{start},{start + size - 1},{kind}")
        start += size
    return "\r\n".join(lines) + "\r\n"


def fixed_width(columns: Columns, rows: list[dict[str, str]]) -> bytes:
    """The `x.txt` of a table: numbers zero-padded on the left, text space-padded, cp1252."""
    out = []
    for row in rows:
        cells = []
        for name, size in columns:
            value = row.get(name, "")
            numeric = name[:2] in NUMERIC
            cells.append(value.rjust(size, "0") if numeric else value.ljust(size))
        out.append("".join(cells))
    return ("\r\n".join(out) + "\r\n").encode("cp1252")


def zip_name(competence: str) -> str:
    """`TabelaUnificada_AAAAMM_vAAMMDDHHMM.zip`, dated the 1st of the competence at 12:00."""
    return f"TabelaUnificada_{competence}_v{competence[2:]}011200.zip"


def write_zip(
    folder: Path,
    competence: str,
    tables: Tables,
    *,
    layouts: dict[str, Columns] | None = None,
    name: str | None = None,
    skip: tuple[str, ...] = (),
    extra: dict[str, str] | None = None,
) -> Path:
    """Write a zip in the official structure holding every table of `tables` and its layout.

    `skip` leaves out members by file name (to build broken zips); `extra` adds text members.
    """
    merged = {**LAYOUTS, **(layouts or {})}
    path = folder / (name or zip_name(competence))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, rows in tables.items():
            if f"{table}.txt" not in skip:
                archive.writestr(f"{table}.txt", fixed_width(merged[table], rows))
            if f"{table}_layout.txt" not in skip:
                archive.writestr(f"{table}_layout.txt", layout_text(merged[table]))
        for member, text in (extra or {}).items():
            archive.writestr(member, text.encode("cp1252"))
    return path


# --- the illustrative sample ---------------------------------------------------------------------

BPA_C, BPA_I = "01", "02"
INSTRUMENTS = {BPA_C: "BPA (CONSOLIDADO)", BPA_I: "BPA (INDIVIDUALIZADO)"}
REQUIRES_CNS_DETAIL = "009"
NO_LIMIT = 9999

DOCTORS = ("225142", "225125", "225130")
NURSES = ("223565", "223505")
TECHNICIANS = ("322245", "322205")
DENTISTS = ("223208",)
ACS = ("515105",)


@dataclass(frozen=True)
class SampleProcedure:
    """One procedure of the illustrative sample; ages in months as SIGTAP has them."""

    code: str
    name: str
    cbos: tuple[str, ...]
    instruments: tuple[str, ...]
    sex: str = "I"
    min_age_months: int = 0
    max_age_months: int = NO_LIMIT
    cids: tuple[str, ...] = ()

    @property
    def requires_cns(self) -> bool:
        """Detalhe 009 "Exige CNS" for what is billed only in BPA-I (the patient is named)."""
        return self.instruments == (BPA_I,)


SAMPLE_PROCEDURES: tuple[SampleProcedure, ...] = (
    SampleProcedure("0301010064", "CONSULTA MEDICA EM ATENCAO PRIMARIA", DOCTORS, (BPA_I,)),
    SampleProcedure(
        "0301010030",
        "CONSULTA DE PROFISSIONAIS DE NIVEL SUPERIOR NA ATENCAO PRIMARIA (EXCETO MEDICO)",
        NURSES + DENTISTS,
        (BPA_I,),
    ),
    SampleProcedure(
        "0301100039", "AFERICAO DE PRESSAO ARTERIAL", DOCTORS + NURSES + TECHNICIANS, (BPA_C,)
    ),
    SampleProcedure(
        "0214010015", "GLICEMIA CAPILAR", DOCTORS + NURSES + TECHNICIANS, (BPA_C, BPA_I)
    ),
    SampleProcedure(
        "0101040024",
        "AVALIACAO ANTROPOMETRICA",
        DOCTORS + NURSES + TECHNICIANS + ACS,
        (BPA_C,),
    ),
    # Female only, 25 to 64 years: the screening ages of the national cervical cancer guideline,
    # used here to show the sex and age checks (not necessarily the official table's limits).
    SampleProcedure(
        "0201020033",
        "COLETA DE MATERIAL P/ EXAME CITOPATOLÓGICO DE COLO UTERINO",
        DOCTORS + NURSES,
        (BPA_I,),
        sex="F",
        min_age_months=25 * 12,
        max_age_months=64 * 12,
        cids=("Z124",),
    ),
)


def _procedure_row(item: SampleProcedure, competence: str) -> dict[str, str]:
    return {
        "CO_PROCEDIMENTO": item.code,
        "NO_PROCEDIMENTO": item.name,
        "TP_COMPLEXIDADE": "1",
        "TP_SEXO": item.sex,
        "QT_MAXIMA_EXECUCAO": "1",
        "VL_IDADE_MINIMA": str(item.min_age_months),
        "VL_IDADE_MAXIMA": str(item.max_age_months),
        "DT_COMPETENCIA": competence,
    }


def sample_tables(competence: str) -> Tables:
    """The tables of the illustrative sample for one competence (AAAAMM)."""
    items, month = SAMPLE_PROCEDURES, {"DT_COMPETENCIA": competence}
    return {
        "tb_procedimento": [_procedure_row(item, competence) for item in items],
        "rl_procedimento_ocupacao": [
            {"CO_PROCEDIMENTO": item.code, "CO_OCUPACAO": cbo, **month}
            for item in items
            for cbo in item.cbos
        ],
        "rl_procedimento_cid": [
            {"CO_PROCEDIMENTO": item.code, "CO_CID": cid, "ST_PRINCIPAL": "S", **month}
            for item in items
            for cid in item.cids
        ],
        "rl_procedimento_registro": [
            {"CO_PROCEDIMENTO": item.code, "CO_REGISTRO": code, **month}
            for item in items
            for code in item.instruments
        ],
        "tb_registro": [
            {"CO_REGISTRO": code, "NO_REGISTRO": name, **month}
            for code, name in INSTRUMENTS.items()
        ],
        "rl_procedimento_detalhe": [
            {"CO_PROCEDIMENTO": item.code, "CO_DETALHE": REQUIRES_CNS_DETAIL, **month}
            for item in items
            if item.requires_cns
        ],
    }


def write_sample_sigtap(folder: Path, competence: str) -> Path:
    """Write the illustrative sample (NOT the official table) as the zip of `competence`."""
    return write_zip(
        folder, competence, sample_tables(competence), extra={"LEIAME.txt": README_TEXT}
    )


def import_sample_sigtap(
    session: Session, folder: Path, competence: str, *, replace: bool = False
) -> SigtapImport:
    """Write and import the sample; its version's source says it is an illustrative sample."""
    path = write_sample_sigtap(folder, competence)
    result = import_sigtap(session, path, replace=replace)
    version = session.get(ReferenceVersion, result.version_id)
    if version is not None:
        version.source = f"{path.name} ({SAMPLE_NOTE})"[:200]
        session.flush()
    return result
