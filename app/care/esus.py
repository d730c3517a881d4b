"""e-SUS APS export: LEDI 7.2.1 XML fichas in the transport envelope, validated against the XSDs.

Builds the Ficha de Atendimento Individual (tipoDadoSerializado 4) and the Ficha de Procedimentos
(tipoDadoSerializado 7) from plain input dataclasses, each wrapped in its own
`dadoTransporteTransportXml` envelope exactly as the official examples are: uuidDadoSerializado =
uuidFicha = CNES + "-" + UUID, tpCdsOrigem = 3 (third-party system), dates as epoch milliseconds of
local midnight in the municipality's time zone, versao 7.2.1. Input is checked first (CNS, CPF,
CNES, CBO, INE, IBGE, codes, dates) with Portuguese messages; every document is then checked
against the official schemas bundled in `resources/reference/esus-ledi-7.2.1/xsd/` and files are
written one per ficha, atomically, and only when every ficha of the batch is valid. The XML files
are named `<uuidDadoSerializado>.esus.xml` like the official examples (`.esus` alone is the name of
the Thrift-serialised form that the PEC transmission API takes).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree

from app import APP_NAME, __version__
from app.atomicfile import atomic_writer
from app.brazil import identifiers as ids
from app.clock import Clock, SystemClock
from app.errors import ValidationError
from app.paths import resource_path
from app.registry.enums import Sex

# --- constants ------------------------------------------------------------------------------------

LEDI_VERSION = (7, 2, 1)
TIPO_ATENDIMENTO_INDIVIDUAL = 4
TIPO_PROCEDIMENTOS = 7
TP_CDS_ORIGEM_TERCEIROS = 3
SOFTWARE = f"{APP_NAME} - {__version__}"
DEFAULT_TIMEZONE = "America/Sao_Paulo"
FILE_SUFFIX = ".esus.xml"

NS_TRANSPORTE = "http://esus.ufsc.br/dadotransporte"
NS_INSTALACAO = "http://esus.ufsc.br/dadoinstalacao"
NS_FAI = "http://esus.ufsc.br/fichaatendimentoindividualmaster"
NS_FP = "http://esus.ufsc.br/fichaprocedimentomaster"
_XS = "http://www.w3.org/2001/XMLSchema"

_CID10 = re.compile(r"[A-Z]\d{2}[0-9X]?")
_CIAP = re.compile(r"[A-Z]\d{2}|ABP\d{3}")
_EXAM = re.compile(r"\d{10}|ABEX\d{3}")
_PROCEDURE = re.compile(r"\d{10}|ABPG\d{3}")
_UUID_NAME = re.compile(r"[0-9A-Za-z-]{36,44}")
_MAX_AGE_YEARS = 130

# --- input ----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EsusInstallation:
    """The sending installation (DadoInstalacao: remetente and originadora)."""

    uuid: uuid.UUID
    cpf_or_cnpj: str
    name: str
    phone: str | None = None
    email: str | None = None
    version: str = __version__
    software: str = SOFTWARE


@dataclass(frozen=True, kw_only=True)
class EsusHeader:
    """Who attended, where and when (the ficha's lotação header)."""

    professional_cns: str
    cbo: str
    cnes: str
    ibge7: str
    attendance_date: date
    ine: str | None = None
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True, kw_only=True)
class EsusExam:
    """An exam requested and/or evaluated in an individual attendance (SIGTAP or ABEX code)."""

    code: str
    requested: bool = False
    evaluated: bool = True


@dataclass(frozen=True, kw_only=True)
class IndividualAttendance:
    """One Ficha de Atendimento Individual holding one attendance of one citizen.

    `place` is LocalDeAtendimento, `attendance_type` TipoDeAtendimento, `conducts` the
    CondutaEncaminhamento codes and `shift` the Turno of the LEDI dictionary. The FAI of LEDI 7.2.1
    has no list of performed procedures: SIGTAP exams go in `exams`, other procedures in a
    ProceduresSheet.
    """

    uuid: uuid.UUID
    header: EsusHeader
    birth_date: date
    sex: Sex
    place: int
    attendance_type: int
    conducts: tuple[int, ...]
    citizen_cns: str | None = None
    citizen_cpf: str | None = None
    shift: int | None = None
    cid10: tuple[str, ...] = ()
    ciap: tuple[str, ...] = ()
    exams: tuple[EsusExam, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ProcedureItem:
    """One citizen's line of a Ficha de Procedimentos (SIGTAP or ABPG procedure codes)."""

    birth_date: date
    sex: Sex
    place: int
    procedures: tuple[str, ...]
    citizen_cns: str | None = None
    citizen_cpf: str | None = None
    shift: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ProceduresSheet:
    """One Ficha de Procedimentos: one professional's header and the citizens attended."""

    uuid: uuid.UUID
    header: EsusHeader
    items: tuple[ProcedureItem, ...]


# --- input checks ---------------------------------------------------------------------------------


def _required(errors: dict[str, str], key: str, label: str, value: str | None) -> bool:
    if value is None or not value.strip():
        errors[key] = f"{label}: campo obrigatório."
        return False
    return True


def _check_identifier(errors: dict[str, str], key: str, label: str, message: str | None) -> None:
    if message:
        errors[key] = f"{label}: {message}"


def _check_installation(errors: dict[str, str], inst: EsusInstallation) -> None:
    if _required(errors, "instalacao.cpf_cnpj", "CPF/CNPJ da instalação", inst.cpf_or_cnpj):
        doc = ids.only_digits(inst.cpf_or_cnpj)
        check = ids.cpf_error if len(doc) == 11 else ids.cnpj_error
        _check_identifier(errors, "instalacao.cpf_cnpj", "CPF/CNPJ da instalação", check(doc))
    _required(errors, "instalacao.nome", "Nome ou razão social da instalação", inst.name)
    if inst.phone and not 10 <= len(ids.only_digits(inst.phone)) <= 11:
        errors["instalacao.fone"] = (
            "Telefone da instalação: informe DDD e número (10 ou 11 dígitos)."
        )
    if inst.email and not (6 <= len(inst.email) <= 255 and "@" in inst.email):
        errors["instalacao.email"] = "E-mail da instalação inválido."


def _check_header(errors: dict[str, str], header: EsusHeader, today: date) -> None:
    checks = (
        ("cns_profissional", "CNS do profissional", header.professional_cns, ids.cns_error),
        ("cbo", "CBO do profissional", header.cbo, ids.cbo_error),
        ("cnes", "CNES", header.cnes, ids.cnes_error),
        ("ibge", "Código IBGE do município", header.ibge7, ids.ibge_error),
    )
    for key, label, value, check in checks:
        if _required(errors, key, label, value):
            _check_identifier(errors, key, label, check(value))
    if header.ine is not None and not (
        header.ine.isascii() and re.fullmatch(r"\d{10}", header.ine)
    ):
        errors["ine"] = "INE da equipe: deve ter 10 dígitos."
    if header.attendance_date > today:
        errors["data_atendimento"] = "Data do atendimento: não pode ser posterior à data de hoje."


def _check_citizen(errors: dict[str, str], prefix: str, cns: str | None, cpf: str | None) -> None:
    if cns and cpf:
        errors[f"{prefix}cidadao"] = (
            "Cidadão: informe o CNS ou o CPF, não os dois (regra do e-SUS APS)."
        )
    if cns:
        _check_identifier(errors, f"{prefix}cns", "CNS do cidadão", ids.cns_error(cns))
    if cpf:
        _check_identifier(errors, f"{prefix}cpf", "CPF do cidadão", ids.cpf_error(cpf))


def _check_birth(errors: dict[str, str], prefix: str, birth: date, attended: date) -> None:
    if birth > attended:
        errors[f"{prefix}nascimento"] = (
            "Data de nascimento: não pode ser posterior à data do atendimento."
        )
    elif attended.year - birth.year > _MAX_AGE_YEARS:
        errors[f"{prefix}nascimento"] = "Data de nascimento: mais de 130 anos antes do atendimento."


def _check_codes(
    errors: dict[str, str], key: str, label: str, codes: Iterable[str], pattern: re.Pattern[str]
) -> None:
    wrong = [code for code in codes if not pattern.fullmatch(_code(code))]
    if wrong:
        errors[key] = f"{label} inválido(s): {', '.join(wrong)}."


def _check_positive(errors: dict[str, str], key: str, label: str, value: int | None) -> None:
    if value is not None and value < 1:
        errors[key] = f"{label}: código inválido ({value})."


def _check_attendance(errors: dict[str, str], att: IndividualAttendance) -> None:
    _check_citizen(errors, "", att.citizen_cns, att.citizen_cpf)
    _check_birth(errors, "", att.birth_date, att.header.attendance_date)
    _check_positive(errors, "local", "Local de atendimento", att.place)
    _check_positive(errors, "tipo", "Tipo de atendimento", att.attendance_type)
    _check_positive(errors, "turno", "Turno", att.shift)
    if not att.conducts:
        errors["condutas"] = "Conduta/desfecho: informe pelo menos uma."
    elif len(set(att.conducts)) != len(att.conducts) or min(att.conducts) < 1:
        errors["condutas"] = "Conduta/desfecho: códigos inválidos ou repetidos."
    if not att.cid10 and not att.ciap:
        errors["problemas"] = "Problema/condição avaliada: informe pelo menos um CID-10 ou CIAP."
    _check_codes(errors, "cid10", "CID-10", att.cid10, _CID10)
    _check_codes(errors, "ciap", "CIAP", att.ciap, _CIAP)
    _check_codes(errors, "exames", "Código de exame", (e.code for e in att.exams), _EXAM)
    if any(not (e.requested or e.evaluated) for e in att.exams):
        errors["exames"] = "Exame: marque se foi solicitado e/ou avaliado."


def _check_item(errors: dict[str, str], index: int, item: ProcedureItem, attended: date) -> None:
    prefix = f"item{index}."
    _check_citizen(errors, prefix, item.citizen_cns, item.citizen_cpf)
    _check_birth(errors, prefix, item.birth_date, attended)
    _check_positive(errors, f"{prefix}local", "Local de atendimento", item.place)
    _check_positive(errors, f"{prefix}turno", "Turno", item.shift)
    if not item.procedures:
        errors[f"{prefix}procedimentos"] = "Procedimentos: informe pelo menos um."
    _check_codes(errors, f"{prefix}procedimentos", "Procedimento", item.procedures, _PROCEDURE)


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _normalized(header: EsusHeader) -> EsusHeader:
    """The header with identifiers in their storage form (masks and spaces removed)."""
    return replace(
        header,
        professional_cns=ids.only_digits(header.professional_cns),
        cbo=ids.only_digits(header.cbo),
        cnes=header.cnes.strip(),
        ibge7=header.ibge7.strip(),
        ine=header.ine.strip() if header.ine else None,
    )


def _today(header: EsusHeader, clock: Clock | None) -> date:
    now = (clock or SystemClock()).now()
    return now.astimezone(ZoneInfo(header.timezone)).date()


# --- XML building ---------------------------------------------------------------------------------


def _code(value: str) -> str:
    """Code as the LEDI wants it: upper case, no dot, hyphen or spaces."""
    return "".join(ch for ch in value.upper() if ch not in ".- ")


def epoch_ms(day: date, timezone: str = DEFAULT_TIMEZONE) -> int:
    """Epoch milliseconds of local midnight of `day` in `timezone` (LEDI date fields)."""
    return int(datetime.combine(day, time(0), ZoneInfo(timezone)).timestamp() * 1000)


def _instant_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: instants must be timezone-aware")
    return int(moment.timestamp() * 1000)


def _sub(parent: Any, tag: str, value: object | None = None) -> Any:
    """Append an unqualified child element (the LEDI schemas leave locals unqualified)."""
    element = etree.SubElement(parent, tag)
    if value is not None:
        element.text = str(value).lower() if isinstance(value, bool) else str(value)
    return element


def _opt(parent: Any, tag: str, value: object | None) -> None:
    if value is not None and value != "":
        _sub(parent, tag, value)


def uuid_name(cnes: str, ficha_uuid: uuid.UUID) -> str:
    """The uuidDadoSerializado/uuidFicha of a ficha: CNES + "-" + canonical UUID (44 chars)."""
    return f"{cnes}-{ficha_uuid}"


def _installation(parent: Any, tag: str, inst: EsusInstallation) -> None:
    element = etree.SubElement(parent, f"{{{NS_INSTALACAO}}}{tag}")
    _sub(element, "contraChave", inst.software)
    _sub(element, "uuidInstalacao", inst.uuid)
    _sub(element, "cpfOuCnpj", ids.clean_cnpj(inst.cpf_or_cnpj))
    _sub(element, "nomeOuRazaoSocial", inst.name.strip())
    _opt(element, "fone", ids.only_digits(inst.phone or ""))
    _opt(element, "email", (inst.email or "").strip())
    _opt(element, "versaoSistema", inst.version)


def _envelope(header: EsusHeader, kind: int, name: str, ficha_ns: str) -> Any:
    """Root `dadoTransporteTransportXml` holding the envelope fields that precede the ficha."""
    nsmap = {"ns2": NS_INSTALACAO, "ns3": NS_TRANSPORTE, "ns4": ficha_ns}
    root = etree.Element(f"{{{NS_TRANSPORTE}}}dadoTransporteTransportXml", nsmap=nsmap)
    _sub(root, "uuidDadoSerializado", name)
    _sub(root, "tipoDadoSerializado", kind)
    _sub(root, "codIbge", header.ibge7)
    _sub(root, "cnesDadoSerializado", header.cnes)
    _opt(root, "ineDadoSerializado", header.ine)
    return root


def _close_envelope(root: Any, inst: EsusInstallation) -> bytes:
    _installation(root, "remetente", inst)
    _installation(root, "originadora", inst)
    major, minor, revision = LEDI_VERSION
    version = _sub(root, "versao")
    version.set("major", str(major))
    version.set("minor", str(minor))
    version.set("revision", str(revision))
    data: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True, standalone=True
    )
    return data


def _lotacao(parent: Any, header: EsusHeader) -> None:
    _sub(parent, "profissionalCNS", header.professional_cns)
    _sub(parent, "cboCodigo_2002", header.cbo)
    _sub(parent, "cnes", header.cnes)
    _opt(parent, "ine", header.ine)


def _citizen(parent: Any, cns: str | None, cpf: str | None) -> None:
    _opt(parent, "cnsCidadao", ids.only_digits(cns or ""))
    _opt(parent, "cpfCidadao", ids.only_digits(cpf or ""))


def _times(parent: Any, started: datetime | None, finished: datetime | None) -> None:
    for tag, moment in (
        ("dataHoraInicialAtendimento", started),
        ("dataHoraFinalAtendimento", finished),
    ):
        if moment is not None:
            _sub(parent, tag, _instant_ms(moment))


def _fai_child(parent: Any, att: IndividualAttendance) -> None:
    child = _sub(parent, "atendimentosIndividuais")
    _citizen(child, att.citizen_cns, att.citizen_cpf)
    _sub(child, "dataNascimento", epoch_ms(att.birth_date, att.header.timezone))
    _sub(child, "localDeAtendimento", att.place)
    _sub(child, "sexo", att.sex.esus_code)
    _opt(child, "turno", att.shift)
    _sub(child, "tipoAtendimento", att.attendance_type)
    for exam in att.exams:
        element = _sub(child, "exame")
        _sub(element, "codigoExame", _code(exam.code))
        for flag, letter in ((exam.requested, "S"), (exam.evaluated, "A")):
            _opt(element, "solicitadoAvaliado", letter if flag else None)
    for conduct in att.conducts:
        _sub(child, "condutas", conduct)
    _times(child, att.started_at, att.finished_at)
    for tag, codes in (("cid10", att.cid10), ("ciap", att.ciap)):
        for code in codes:
            problem = _sub(child, "problemasCondicoes")
            _sub(problem, tag, _code(code))
            _sub(problem, "isAvaliado", True)


def individual_attendance_xml(
    inst: EsusInstallation, att: IndividualAttendance, *, clock: Clock | None = None
) -> bytes:
    """The Ficha de Atendimento Individual of `att` in its transport envelope (UTF-8 XML)."""
    errors: dict[str, str] = {}
    _check_installation(errors, inst)
    _check_header(errors, att.header, _today(att.header, clock))
    _check_attendance(errors, att)
    _raise_if(errors)
    header = _normalized(att.header)
    name = uuid_name(header.cnes, att.uuid)
    root = _envelope(header, TIPO_ATENDIMENTO_INDIVIDUAL, name, NS_FAI)
    ficha = etree.SubElement(root, f"{{{NS_FAI}}}fichaAtendimentoIndividualMasterTransport")
    head = _sub(ficha, "headerTransport")
    _lotacao(_sub(head, "lotacaoFormPrincipal"), header)
    _sub(head, "dataAtendimento", epoch_ms(header.attendance_date, header.timezone))
    _sub(head, "codigoIbgeMunicipio", header.ibge7)
    _fai_child(ficha, att)
    _sub(ficha, "tpCdsOrigem", TP_CDS_ORIGEM_TERCEIROS)
    _sub(ficha, "uuidFicha", name)
    return _close_envelope(root, inst)


def _fp_child(parent: Any, item: ProcedureItem, timezone: str) -> None:
    child = _sub(parent, "atendProcedimentos")
    _citizen(child, item.citizen_cns, item.citizen_cpf)
    _sub(child, "dtNascimento", epoch_ms(item.birth_date, timezone))
    _sub(child, "sexo", item.sex.esus_code)
    _sub(child, "localAtendimento", item.place)
    _opt(child, "turno", item.shift)
    for code in item.procedures:
        _sub(child, "procedimentos", _code(code))
    _times(child, item.started_at, item.finished_at)


def procedures_xml(
    inst: EsusInstallation, sheet: ProceduresSheet, *, clock: Clock | None = None
) -> bytes:
    """The Ficha de Procedimentos of `sheet` in its transport envelope (UTF-8 XML)."""
    header = sheet.header
    errors: dict[str, str] = {}
    _check_installation(errors, inst)
    _check_header(errors, header, _today(header, clock))
    if not sheet.items:
        errors["itens"] = "Ficha de procedimentos: informe pelo menos um atendimento."
    for index, item in enumerate(sheet.items, start=1):
        _check_item(errors, index, item, header.attendance_date)
    _raise_if(errors)
    header = _normalized(header)
    name = uuid_name(header.cnes, sheet.uuid)
    root = _envelope(header, TIPO_PROCEDIMENTOS, name, NS_FP)
    ficha = etree.SubElement(root, f"{{{NS_FP}}}fichaProcedimentoMasterTransport")
    head = _sub(ficha, "headerTransport")
    _lotacao(head, header)
    _sub(head, "dataAtendimento", epoch_ms(header.attendance_date, header.timezone))
    _sub(head, "codigoIbgeMunicipio", header.ibge7)
    for item in sheet.items:
        _fp_child(ficha, item, header.timezone)
    _sub(ficha, "uuidFicha", name)
    _sub(ficha, "tpCdsOrigem", TP_CDS_ORIGEM_TERCEIROS)
    return _close_envelope(root, inst)


# --- schema validation ----------------------------------------------------------------------------


def xsd_dir() -> Path:
    """Folder of the bundled official LEDI 7.2.1 schemas."""
    return resource_path("reference", "esus-ledi-7.2.1", "xsd")


def _schema_files() -> list[tuple[str, Path]]:
    """(targetNamespace, file) of every bundled XSD."""
    found = []
    for path in sorted(xsd_dir().glob("*.xsd")):
        namespace = etree.parse(str(path)).getroot().get("targetNamespace")
        found.append((str(namespace), path))
    return found


@lru_cache(maxsize=1)
def _compiled() -> tuple[Any, frozenset[str]]:
    """The schema set (envelope plus every ficha) and the ficha root elements it declares.

    The envelope takes the ficha through `xs:any processContents="lax"`, which validates a ficha
    only when its schema is loaded: a driver schema imports every namespace so that it always is.
    """
    files = _schema_files()
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{path.name}"/>' for ns, path in files
    )
    driver = (
        f'<xs:schema xmlns:xs="{_XS}" targetNamespace="urn:saude-municipal:esus">'
        f"{imports}</xs:schema>"
    )
    base = xsd_dir().resolve().as_uri() + "/"
    schema = etree.XMLSchema(etree.ElementTree(etree.fromstring(driver.encode(), base_url=base)))
    return schema, frozenset(_ficha_roots(files))


def _ficha_roots(files: Sequence[tuple[str, Path]]) -> Iterable[str]:
    """Qualified names of the global elements that can stand in the envelope's ficha slot."""
    skip = {NS_TRANSPORTE, NS_INSTALACAO}
    for ns, path in files:
        if ns in skip:
            continue
        for element in etree.parse(str(path)).getroot().findall(f"{{{_XS}}}element"):
            yield f"{{{ns}}}{element.get('name')}"


def _ficha_error(root: Any, roots: frozenset[str]) -> str | None:
    """Error when the envelope carries no ficha the schemas know (lax would let it through)."""
    if root.tag != f"{{{NS_TRANSPORTE}}}dadoTransporteTransportXml":
        return f"elemento raiz inesperado: {root.tag}"
    fichas = [child for child in root if isinstance(child.tag, str) and child.tag in roots]
    return None if len(fichas) == 1 else "o envelope deve conter exatamente uma ficha conhecida"


def validate_esus_xml(data: bytes) -> list[str]:
    """Schema errors of an e-SUS XML file (envelope and ficha); an empty list means valid."""
    schema, roots = _compiled()
    try:
        document = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        return [f"XML malformado: {exc}"]
    errors = [] if schema.validate(document) else _log_lines(schema.error_log)
    extra = _ficha_error(document, roots)
    return errors + ([extra] if extra else [])


def _log_lines(log: Iterable[Any]) -> list[str]:
    return [f"linha {entry.line}: {entry.message}" for entry in log]


def uuid_of(data: bytes) -> str | None:
    """The uuidDadoSerializado of an e-SUS XML file, or None when it cannot be read."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return None
    text = root.findtext("uuidDadoSerializado")
    return str(text) if text else None


# --- writing --------------------------------------------------------------------------------------


def _batch_error(files: Sequence[tuple[str, bytes]]) -> str | None:
    """The first reason to refuse the whole batch, in Portuguese, or None."""
    seen: set[str] = set()
    for name, data in files:
        if not _UUID_NAME.fullmatch(name):
            return f"Nome de ficha inválido: {name!r} (esperado CNES-UUID, 36 a 44 caracteres)."
        if name in seen:
            return f"A ficha {name} aparece duas vezes no lote."
        seen.add(name)
        problems = validate_esus_xml(data)
        if problems:
            return f"A ficha {name} não passou na validação do esquema e-SUS: {problems[0]}"
        if uuid_of(data) != name:
            return f"A ficha {name} traz outro uuidDadoSerializado ({uuid_of(data)})."
    return None


def write_esus_files(folder: Path, files: Sequence[tuple[str, bytes]]) -> list[Path]:
    """Write one `<uuidDadoSerializado>.esus.xml` per ficha; nothing at all if any is invalid.

    Raises ValidationError (Portuguese message naming the ficha and its first schema error) before
    touching the folder. Should a write fail midway, the files already written by this call are
    removed so the folder never holds half a batch.
    """
    reason = "O lote está vazio: nenhuma ficha para gravar." if not files else _batch_error(files)
    if reason:
        raise ValidationError({"": f"{reason} Nenhum arquivo foi gravado."})
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for name, data in files:
            target = folder / f"{name}{FILE_SUFFIX}"
            with atomic_writer(target) as stream:
                stream.write(data)
            written.append(target)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
