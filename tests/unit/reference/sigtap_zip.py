"""Builds SIGTAP zips in the official structure for tests: `x.txt` fixed width plus `x_layout.txt`.

Column widths follow br-health §2.2 for `tb_procedimento` and the layouts seen in public parsers for
the relation tables; positions are computed from the widths, so a test can reorder or widen columns
and prove the importer reads them from the layout.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

Columns = list[tuple[str, int]]

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


def layout_text(columns: Columns) -> str:
    lines = ["Coluna,Tamanho,Inicio,Fim,Tipo"]
    start = 1
    for name, size in columns:
        kind = "NUMBER" if name[:2] in NUMERIC else "VARCHAR2"
        lines.append(f"{name},{size},{start},{start + size - 1},{kind}")
        start += size
    return "\r\n".join(lines) + "\r\n"


def fixed_width(columns: Columns, rows: list[dict[str, str]]) -> bytes:
    out = []
    for row in rows:
        cells = []
        for name, size in columns:
            value = row.get(name, "")
            numeric = name[:2] in NUMERIC
            cells.append(value.rjust(size, "0") if numeric else value.ljust(size))
        out.append("".join(cells))
    return ("\r\n".join(out) + "\r\n").encode("cp1252")


def procedures(competence: str, min_age_coleta: int = 144) -> dict[str, list[dict[str, str]]]:
    """A tiny competence: a consultation (CBO-limited, CNS required), a female-only collection."""
    consulta, coleta = "0301010064", "0201020033"
    return {
        "tb_procedimento": [
            {
                "CO_PROCEDIMENTO": consulta,
                "NO_PROCEDIMENTO": "CONSULTA MEDICA EM ATENCAO PRIMARIA",
                "TP_COMPLEXIDADE": "1",
                "TP_SEXO": "I",
                "VL_IDADE_MINIMA": "0",
                "VL_IDADE_MAXIMA": "9999",
                "DT_COMPETENCIA": competence,
            },
            {
                "CO_PROCEDIMENTO": coleta,
                "NO_PROCEDIMENTO": "COLETA DE MATERIAL P/ EXAME CITOPATOLÓGICO DE COLO UTERINO",
                "TP_COMPLEXIDADE": "1",
                "TP_SEXO": "F",
                "VL_IDADE_MINIMA": str(min_age_coleta),
                "VL_IDADE_MAXIMA": "768",
                "DT_COMPETENCIA": competence,
            },
        ],
        "rl_procedimento_ocupacao": [
            {"CO_PROCEDIMENTO": consulta, "CO_OCUPACAO": cbo, "DT_COMPETENCIA": competence}
            for cbo in ("225142", "225125")
        ],
        "rl_procedimento_cid": [
            {
                "CO_PROCEDIMENTO": coleta,
                "CO_CID": "Z124",
                "ST_PRINCIPAL": "S",
                "DT_COMPETENCIA": competence,
            },
        ],
        "rl_procedimento_registro": [
            {"CO_PROCEDIMENTO": consulta, "CO_REGISTRO": "01", "DT_COMPETENCIA": competence},
            {"CO_PROCEDIMENTO": consulta, "CO_REGISTRO": "02", "DT_COMPETENCIA": competence},
            {"CO_PROCEDIMENTO": coleta, "CO_REGISTRO": "02", "DT_COMPETENCIA": competence},
        ],
        "tb_registro": [
            {"CO_REGISTRO": "01", "NO_REGISTRO": "BPA (Consolidado)", "DT_COMPETENCIA": competence},
            {
                "CO_REGISTRO": "02",
                "NO_REGISTRO": "BPA (Individualizado)",
                "DT_COMPETENCIA": competence,
            },
        ],
        "rl_procedimento_detalhe": [
            {"CO_PROCEDIMENTO": consulta, "CO_DETALHE": "009", "DT_COMPETENCIA": competence},
        ],
    }


def build_zip(
    folder: Path,
    competence: str,
    tables: dict[str, list[dict[str, str]]] | None = None,
    *,
    layouts: dict[str, Columns] | None = None,
    name: str | None = None,
    skip: tuple[str, ...] = (),
) -> Path:
    """Write `TabelaUnificada_<competence>_v<stamp>.zip` holding every table and its layout."""
    tables = tables if tables is not None else procedures(competence)
    layouts = {**LAYOUTS, **(layouts or {})}
    stamp = competence[2:] + "011200"
    path = folder / (name or f"TabelaUnificada_{competence}_v{stamp}.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, rows in tables.items():
            if f"{table}.txt" not in skip:
                archive.writestr(f"{table}.txt", fixed_width(layouts[table], rows))
            if f"{table}_layout.txt" not in skip:
                archive.writestr(f"{table}_layout.txt", layout_text(layouts[table]))
    return path
