"""SIGTAP: importing the official monthly zip, one competence beside the others, and the checks.

`import_sigtap` reads `TabelaUnificada_AAAAMM_vAAMMDDHHMM.zip` through each table's layout file
(see `sigtap_layout`). Everything that can be checked before writing is checked first (zip, name,
required tables, layout columns, competence already there); the rows then go in by bulk inserts
inside a savepoint, so a bad line found half-way leaves nothing behind. Ages in `tb_procedimento`
are in months (VL_IDADE_MINIMA/MAXIMA; 9999 = no limit) — read so by public parsers of the file,
not confirmed in an official manual. "Exige CNS" is detalhe 009 ("Exige CPF/CNS") of
`rl_procedimento_detalhe`; when the zip lacks that table the flag stays unknown (None).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.brazil.names import normalize_key
from app.errors import ValidationError
from app.reference.models import (
    ReferenceKind,
    ReferenceVersion,
    SigtapProcedure,
    SigtapProcedureCbo,
    SigtapProcedureCid,
    SigtapProcedureInstrument,
)
from app.reference.sigtap_layout import Layout, member_names, read_layout, records
from app.reference.versions import new_version

ZIP_NAME = re.compile(r"TabelaUnificada_(\d{4})(\d{2})_v\d{10}\.zip", re.IGNORECASE)
REQUIRED: dict[str, tuple[str, ...]] = {
    "tb_procedimento": (
        "CO_PROCEDIMENTO",
        "NO_PROCEDIMENTO",
        "TP_SEXO",
        "VL_IDADE_MINIMA",
        "VL_IDADE_MAXIMA",
    ),
    "rl_procedimento_ocupacao": ("CO_PROCEDIMENTO", "CO_OCUPACAO"),
    "rl_procedimento_cid": ("CO_PROCEDIMENTO", "CO_CID"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "rl_procedimento_registro": ("CO_PROCEDIMENTO", "CO_REGISTRO"),
    "tb_registro": ("CO_REGISTRO", "NO_REGISTRO"),
    "rl_procedimento_detalhe": ("CO_PROCEDIMENTO", "CO_DETALHE"),
}
REQUIRES_CNS_DETAIL = "009"  # tb_detalhe 009 "Exige CPF/CNS"
NO_AGE_LIMIT = 9999
_BATCH = 5000
_PROCEDURE = re.compile(r"\d{10}")
_SEX_WORD = {"M": "masculino", "F": "feminino"}


@dataclass(frozen=True)
class SigtapImport:
    """What an import wrote: the competence, its version id and the rows per table."""

    competence: str
    version_id: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProcedureRow:
    """A procedure of one competence, as the attendance screen needs it."""

    competence: str
    code: str
    name: str
    sex: str
    min_age_months: int | None
    max_age_months: int | None
    requires_cns: bool | None
    instruments: tuple[tuple[str, str], ...]


class CompetenceAlreadyImported(ValidationError):
    """The zip's competence is already in the database; import with `replace=True` to swap it."""

    def __init__(self, competence: str) -> None:
        super().__init__(
            {
                "": f"A tabela SIGTAP da competência {competence_label(competence)} "
                "já foi importada. Para substituí-la, importe novamente escolhendo substituir."
            }
        )
        self.competence = competence


def competence_label(competence: str) -> str:
    """ "202603" → "03/2026"."""
    return f"{competence[4:]}/{competence[:4]}"


def _refuse(message: str) -> ValidationError:
    return ValidationError({"": message})


@dataclass
class _Archive:
    """An opened zip that passed the checks: its competence and the layout of every table."""

    path: Path
    archive: zipfile.ZipFile
    competence: str
    members: dict[str, str]
    layouts: dict[str, Layout]

    def rows(self, table: str, *columns: str) -> Iterator[tuple[int, dict[str, str]]]:
        return records(self.archive, self.members[f"{table}.txt"], self.layouts[table], columns)


def _competence_from_name(path: Path) -> str:
    match = ZIP_NAME.fullmatch(path.name)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise _refuse(
            f"O nome do arquivo “{path.name}” não é o da Tabela Unificada do SIGTAP "
            "(TabelaUnificada_AAAAMM_vAAMMDDHHMM.zip)."
        )
    return match.group(1) + match.group(2)


def _open(path: Path) -> _Archive:
    competence = _competence_from_name(path)
    if not path.is_file() or not zipfile.is_zipfile(path):
        raise _refuse(f"O arquivo “{path.name}” não é um arquivo zip válido.")
    archive = zipfile.ZipFile(path)
    try:
        members = member_names(archive)
        _check_tables(members)
        layouts = {
            table: read_layout(archive, members[f"{table}_layout.txt"], columns)
            for table, columns in {**REQUIRED, **OPTIONAL}.items()
            if f"{table}.txt" in members and f"{table}_layout.txt" in members
        }
    except BaseException:
        archive.close()
        raise
    return _Archive(path, archive, competence, members, layouts)


def _check_tables(members: dict[str, str]) -> None:
    missing = [
        f"{table}{suffix}"
        for table in REQUIRED
        for suffix in (".txt", "_layout.txt")
        if f"{table}{suffix}" not in members
    ]
    if missing:
        raise _refuse(
            "O arquivo não está na estrutura oficial do SIGTAP: faltam " + ", ".join(missing) + "."
        )


def import_sigtap(session: Session, zip_path: Path | str, *, replace: bool = False) -> SigtapImport:
    """Import one competence of SIGTAP from the official zip; refuses bad input writing nothing."""
    path = Path(zip_path)
    try:
        return _import(session, path, replace=replace)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _refuse(
            f"O arquivo “{path.name}” está danificado ou não pôde ser lido; nada foi importado."
        ) from exc


def _import(session: Session, path: Path, *, replace: bool) -> SigtapImport:
    opened = _open(path)
    try:
        existing = _existing(session, opened.competence)
        if existing is not None and not replace:
            raise CompetenceAlreadyImported(opened.competence)
        with session.begin_nested():
            if existing is not None:
                _delete_competence(session, opened.competence, existing)
            return _write(session, opened)
    finally:
        opened.archive.close()


def _existing(session: Session, competence: str) -> ReferenceVersion | None:
    stmt = select(ReferenceVersion).where(
        ReferenceVersion.kind == ReferenceKind.SIGTAP, ReferenceVersion.label == competence
    )
    return session.scalars(stmt).first()


def _delete_competence(session: Session, competence: str, version: ReferenceVersion) -> None:
    for model in (SigtapProcedureCbo, SigtapProcedureCid, SigtapProcedureInstrument):
        session.execute(delete(model).where(model.competence == competence))
    session.execute(delete(SigtapProcedure).where(SigtapProcedure.competence == competence))
    session.delete(version)
    session.flush()


def _write(session: Session, opened: _Archive) -> SigtapImport:
    version = new_version(
        session,
        ReferenceKind.SIGTAP,
        label=opened.competence,
        source=opened.path.name,
        sha256=_file_sha256(opened.path),
    )
    try:
        counts = {
            "tb_procedimento": _bulk(session, SigtapProcedure, _procedures(opened)),
            "rl_procedimento_ocupacao": _bulk(session, SigtapProcedureCbo, _cbos(opened)),
            "rl_procedimento_cid": _bulk(session, SigtapProcedureCid, _cids(opened)),
            "rl_procedimento_registro": _bulk(
                session, SigtapProcedureInstrument, _instruments(opened)
            ),
        }
    except IntegrityError:
        raise _refuse(
            "O arquivo do SIGTAP tem linhas repetidas (mesmo procedimento e código); "
            "nada foi importado."
        ) from None
    version.row_count = counts["tb_procedimento"]
    session.flush()
    return SigtapImport(opened.competence, version.id, counts)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _bulk(session: Session, model: type[Any], rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            session.execute(insert(model), batch)
            count += len(batch)
            batch = []
    if batch:
        session.execute(insert(model), batch)
        count += len(batch)
    return count


def _line_error(table: str, number: int, why: str) -> ValidationError:
    return _refuse(f"{table}.txt, linha {number}: {why}; nada foi importado.")


def _checked(
    opened: _Archive, table: str, columns: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of `table` whose procedure code and competence (when the layout has one) are right."""
    for number, row in opened.rows(table, *columns, "DT_COMPETENCIA"):
        code = row["CO_PROCEDIMENTO"]
        if not _PROCEDURE.fullmatch(code):
            raise _line_error(table, number, f"código de procedimento inválido “{code}”")
        found = row.get("DT_COMPETENCIA")
        if found and found != opened.competence:
            raise _line_error(
                table,
                number,
                f"a competência {found} difere da do arquivo "
                f"({competence_label(opened.competence)})",
            )
        yield number, row


def _age(table: str, number: int, value: str) -> int | None:
    if not value.isdigit():
        raise _line_error(table, number, f"idade inválida “{value}”")
    months = int(value)
    return None if months >= NO_AGE_LIMIT else months


def _procedures(opened: _Archive) -> Iterator[dict[str, Any]]:
    cns = _requires_cns(opened)
    for number, row in _checked(opened, "tb_procedimento", REQUIRED["tb_procedimento"]):
        name = row["NO_PROCEDIMENTO"]
        yield {
            "competence": opened.competence,
            "code": row["CO_PROCEDIMENTO"],
            "name": name,
            "name_key": normalize_key(name),
            "sex": row["TP_SEXO"] or "N",
            "min_age_months": _age("tb_procedimento", number, row["VL_IDADE_MINIMA"]),
            "max_age_months": _age("tb_procedimento", number, row["VL_IDADE_MAXIMA"]),
            "requires_cns": None if cns is None else row["CO_PROCEDIMENTO"] in cns,
        }


def _requires_cns(opened: _Archive) -> set[str] | None:
    """Procedures with detalhe 009, or None when the zip has no rl_procedimento_detalhe."""
    table = "rl_procedimento_detalhe"
    if table not in opened.layouts:
        return None
    return {
        row["CO_PROCEDIMENTO"]
        for _, row in _checked(opened, table, OPTIONAL[table])
        if row["CO_DETALHE"] == REQUIRES_CNS_DETAIL
    }


def _cbos(opened: _Archive) -> Iterator[dict[str, Any]]:
    table = "rl_procedimento_ocupacao"
    for number, row in _checked(opened, table, REQUIRED[table]):
        cbo = row["CO_OCUPACAO"]
        if not re.fullmatch(r"[0-9A-Z]{6}", cbo):
            raise _line_error(table, number, f"CBO inválido “{cbo}”")
        yield {
            "competence": opened.competence,
            "procedure_code": row["CO_PROCEDIMENTO"],
            "cbo": cbo,
        }


def _cids(opened: _Archive) -> Iterator[dict[str, Any]]:
    table = "rl_procedimento_cid"
    for number, row in _checked(opened, table, (*REQUIRED[table], "ST_PRINCIPAL")):
        cid = row["CO_CID"].replace(".", "").upper()
        if not re.fullmatch(r"[A-Z]\d{2}[0-9A-Z]?", cid):
            raise _line_error(table, number, f"CID inválido “{row['CO_CID']}”")
        principal = row.get("ST_PRINCIPAL")
        yield {
            "competence": opened.competence,
            "procedure_code": row["CO_PROCEDIMENTO"],
            "cid": cid,
            "principal": None if not principal else principal == "S",
        }


def _instruments(opened: _Archive) -> Iterator[dict[str, Any]]:
    table = "rl_procedimento_registro"
    if table not in opened.layouts:
        return
    names = _instrument_names(opened)
    for _, row in _checked(opened, table, OPTIONAL[table]):
        code = row["CO_REGISTRO"]
        yield {
            "competence": opened.competence,
            "procedure_code": row["CO_PROCEDIMENTO"],
            "instrument_code": code,
            "instrument_name": names.get(code, ""),
        }


def _instrument_names(opened: _Archive) -> dict[str, str]:
    if "tb_registro" not in opened.layouts:
        return {}
    return {
        row["CO_REGISTRO"]: row["NO_REGISTRO"][:100]
        for _, row in opened.rows("tb_registro", *OPTIONAL["tb_registro"])
    }


def procedure(session: Session, competence: str, code: str) -> ProcedureRow | None:
    """The procedure as the SIGTAP table of `competence` has it, None when absent."""
    found = session.get(SigtapProcedure, (competence, code))
    if found is None:
        return None
    stmt = (
        select(SigtapProcedureInstrument.instrument_code, SigtapProcedureInstrument.instrument_name)
        .where(
            SigtapProcedureInstrument.competence == competence,
            SigtapProcedureInstrument.procedure_code == code,
        )
        .order_by(SigtapProcedureInstrument.instrument_code)
    )
    instruments = tuple((row[0], row[1]) for row in session.execute(stmt))
    return ProcedureRow(
        competence=found.competence,
        code=found.code,
        name=found.name,
        sex=found.sex,
        min_age_months=found.min_age_months,
        max_age_months=found.max_age_months,
        requires_cns=found.requires_cns,
        instruments=instruments,
    )


def procedure_cbos(session: Session, competence: str, code: str) -> list[str]:
    """The occupations (CBO) allowed for the procedure; empty means the table lists none."""
    stmt = (
        select(SigtapProcedureCbo.cbo)
        .where(
            SigtapProcedureCbo.competence == competence,
            SigtapProcedureCbo.procedure_code == code,
        )
        .order_by(SigtapProcedureCbo.cbo)
    )
    return list(session.scalars(stmt))


def procedure_check(
    session: Session,
    competence: str,
    code: str,
    *,
    cbo: str,
    age_years: int,
    sex: str,
    has_cns: bool,
) -> list[str]:
    """Every reason (Portuguese) the SIGTAP of `competence` refuses the procedure; [] = allowed."""
    found = procedure(session, competence, code)
    if found is None:
        return [_absent(session, competence, code)]
    label = f"O procedimento {found.code} ({found.name})"
    reasons = [
        _cbo_reason(session, found, label, cbo),
        _sex_reason(found, label, sex),
        _age_reason(found, label, age_years),
        f"{label} exige o CNS do cidadão." if found.requires_cns and not has_cns else None,
    ]
    return [reason for reason in reasons if reason]


def _absent(session: Session, competence: str, code: str) -> str:
    when = competence_label(competence)
    if _existing(session, competence) is None:
        return f"A tabela SIGTAP da competência {when} não foi importada."
    return f"O procedimento {code} não existe na tabela SIGTAP da competência {when}."


def _cbo_reason(session: Session, found: ProcedureRow, label: str, cbo: str) -> str | None:
    allowed = procedure_cbos(session, found.competence, found.code)
    if not allowed or cbo in allowed:
        return None
    return f"{label} não é permitido para a ocupação CBO {cbo}."


def _sex_reason(found: ProcedureRow, label: str, sex: str) -> str | None:
    if found.sex not in _SEX_WORD or sex not in _SEX_WORD or sex == found.sex:
        return None
    return f"{label} é exclusivo do sexo {_SEX_WORD[found.sex]}."


def _age_reason(found: ProcedureRow, label: str, age_years: int) -> str | None:
    """Ages are whole years here and months in SIGTAP: refuse only when no birthday fits."""
    youngest, oldest = age_years * 12, age_years * 12 + 11
    if found.min_age_months is not None and oldest < found.min_age_months:
        return f"{label} exige idade mínima de {_months_text(found.min_age_months)}."
    if found.max_age_months is not None and youngest > found.max_age_months:
        return f"{label} admite idade máxima de {_months_text(found.max_age_months)}."
    return None


def _months_text(months: int) -> str:
    if months % 12:
        return f"{months} {'mês' if months == 1 else 'meses'}"
    years = months // 12
    return f"{years} {'ano' if years == 1 else 'anos'}"
