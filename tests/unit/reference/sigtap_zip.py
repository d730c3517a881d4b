"""Builds SIGTAP zips in the official structure for tests: `x.txt` fixed width plus `x_layout.txt`.

The generic writer lives in `app.reference.sigtap_sample` (the demo uses it too); this module keeps
the tests' tiny competence (`procedures`) and `build_zip`, which defaults to it.
"""

from __future__ import annotations

from pathlib import Path

from app.reference.sigtap_sample import (
    LAYOUTS,
    NUMERIC,
    PROCEDURE_COLUMNS,
    Columns,
    fixed_width,
    layout_text,
    write_zip,
)

__all__ = [
    "LAYOUTS",
    "NUMERIC",
    "PROCEDURE_COLUMNS",
    "Columns",
    "build_zip",
    "fixed_width",
    "layout_text",
    "procedures",
]


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
    return write_zip(folder, competence, tables, layouts=layouts, name=name, skip=skip)
