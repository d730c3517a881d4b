"""The read side of sync for the sync center and the CLI: plain dataclasses, Portuguese labels.

What is pending here, the peers and the last exchange with each, the history of batch files, the
open conflicts and one conflict's two versions field by field. Nothing here writes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.errors import NotFound, ValidationError
from app.sync.capture import synced_tables, to_json_value
from app.sync.models import ChangeLogEntry, SyncBatch, SyncConflict, SyncPeer
from app.sync.node import identity, state_row
from app.sync.scope import in_scope_clause

TABLE_LABELS = {
    "citizen": "Cidadãos",
    "attendance": "Atendimentos",
    "attendance_procedure": "Procedimentos dos atendimentos",
    "health_unit": "Unidades de saúde",
    "professional": "Profissionais",
    "professional_bond": "Vínculos de profissionais",
    "district": "Bairros",
    "agenda_template": "Modelos de agenda",
    "agenda_slot": "Vagas da agenda",
    "agenda_block": "Bloqueios de agenda",
    "appointment": "Agendamentos",
    "waiting_list_entry": "Lista de espera",
    "municipal_holiday": "Feriados municipais",
    "competence_closing": "Fechamentos de competência",
    "issued_document": "Documentos emitidos",
    "reference_version": "Tabelas de referência",
    "icd10_code": "CID-10",
    "sigtap_procedure": "Procedimentos SIGTAP",
    "sigtap_procedure_cbo": "SIGTAP: procedimento × ocupação",
    "sigtap_procedure_cid": "SIGTAP: procedimento × CID",
    "sigtap_procedure_instrument": "SIGTAP: instrumentos de registro",
    "occupation": "Ocupações (CBO)",
    "numbering_range": "Faixas de numeração",
    "legal_number": "Números de documentos",
    "sanitary_config": "Parâmetros da VISA",
    "cnae_risk_table": "Tabelas de risco (CNAE)",
    "cnae_risk": "Riscos por CNAE",
    "cnae_risk_question": "Perguntas de risco (CNAE)",
    "cnae_risk_override": "Regras municipais de risco",
    "sanitary_inspector": "Fiscais sanitários",
    "establishment": "Estabelecimentos",
    "establishment_activity": "Atividades (CNAE) dos estabelecimentos",
    "checklist": "Roteiros de inspeção",
    "checklist_version": "Versões de roteiros",
    "checklist_item": "Itens de roteiros",
    "inspection": "Inspeções",
    "inspection_answer": "Respostas das inspeções",
    "inspection_attachment": "Anexos das inspeções",
    "sanitary_document": "Termos e autos",
    "sanitary_licence": "Licenças sanitárias",
    "sanitary_process": "Processos sanitários",
    "sanitary_process_step": "Andamentos de processos",
    "sanitary_complaint": "Denúncias",
}
RECORD_LABELS = {
    "citizen": "Cidadão",
    "attendance": "Atendimento",
    "health_unit": "Unidade de saúde",
    "professional": "Profissional",
    "district": "Bairro",
    "appointment": "Agendamento",
    "establishment": "Estabelecimento",
    "inspection": "Inspeção",
    "sanitary_process": "Processo sanitário",
    "sanitary_licence": "Licença sanitária",
    "sanitary_inspector": "Fiscal sanitário",
    "checklist": "Roteiro de inspeção",
}
FIELD_LABELS = {
    "name": "Nome",
    "social_name": "Nome social",
    "cns": "CNS",
    "cpf": "CPF",
    "birth_date": "Nascimento",
    "sex": "Sexo",
    "race": "Raça/cor",
    "ethnicity": "Etnia",
    "mother_name": "Nome da mãe",
    "cep": "CEP",
    "street": "Logradouro",
    "number": "Número",
    "complement": "Complemento",
    "district_id": "Bairro",
    "municipality_ibge": "Município (IBGE)",
    "phone": "Telefone",
    "unit_cnes": "Unidade (CNES)",
    "deleted_at": "Excluído em",
    "cnes": "CNES",
    "code": "Código",
    "description": "Descrição",
    "status": "Situação",
    "stage": "Fase",
    "outcome": "Resultado",
    "findings": "Constatações",
    "due_on": "Prevista para",
    "performed_on": "Realizada em",
    "started_at": "Iniciada em",
    "finished_at": "Concluída em",
    "cancel_reason": "Motivo do cancelamento",
    "reason": "Motivo",
    "team": "Equipe",
    "inspector_id": "Fiscal",
    "establishment_id": "Estabelecimento",
    "legal_name": "Razão social",
    "trade_name": "Nome fantasia",
    "document": "CNPJ/CPF",
    "risk": "Grau de risco",
    "correction_days": "Prazo para correções (dias)",
    "correction_due_on": "Correções até",
    "received_by": "Recebido por",
    "next_inspection_on": "Próxima inspeção",
    "companion_ids": "Fiscais acompanhantes",
    "checklist_version_id": "Roteiro (versão)",
    "complaint_id": "Denúncia",
}
KIND_LABELS = {"hub": "Central", "unit": "Unidade de saúde", "field": "Equipe de campo"}
BATCH_STATUS = {
    "exported": "exportado",
    "acknowledged": "confirmado",
    "applied": "aplicado",
    "duplicate": "já importado",
    "parked": "aguardando lote anterior",
    "refused": "recusado",
}
CONFLICT_KINDS = {
    "fields": "mesmo campo alterado em dois computadores",
    "delete": "exclusão em um computador, alteração em outro",
    "state": "situação alterada nos dois computadores (fica a mais adiantada)",
    "duplicate": "registro recebido duplica outro já existente",
}
# Columns a person never decides about (bookkeeping and search keys).
HIDDEN = frozenset({"id", "version", "created_at", "updated_at", "origin_node", "name_key"})
EMPTY = "(vazio)"


def table_label(name: str) -> str:
    return TABLE_LABELS.get(name, name)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


# --- pending and peers ------------------------------------------------------------------------


def _made_here_pending() -> Any:
    return ChangeLogEntry.received_from.is_(None), ChangeLogEntry.acknowledged.is_(False)


def pending_by_table(session: Session) -> list[tuple[str, int]]:
    """Changes made here and not yet confirmed by the hub, per kind of record."""
    query = (
        select(ChangeLogEntry.table_name, func.count())
        .where(*_made_here_pending())
        .group_by(ChangeLogEntry.table_name)
    )
    rows = [(table_label(name), int(count)) for name, count in session.execute(query)]
    return sorted(rows)


@dataclass(frozen=True)
class PeerRow:
    node_id: str
    name: str
    kind: str
    kind_label: str
    cnes: str
    team: str
    enrolled_at: datetime
    revoked_at: datetime | None
    last_export_at: datetime | None
    last_import_at: datetime | None
    sent_seq: int
    acked_seq: int
    pending: int

    @property
    def state_label(self) -> str:
        return "revogado" if self.revoked_at else "cadastrado"


def _pending_for(session: Session, peer: SyncPeer) -> int:
    log = ChangeLogEntry
    query = (
        select(func.count())
        .select_from(log)
        .where(
            log.seq > peer.sent_seq,
            log.origin_node != peer.node_id,
            or_(log.received_from.is_(None), log.received_from != peer.node_id),
            in_scope_clause(peer.kind, peer.unit_cnes, log.scope, log.unit_cnes),
        )
    )
    return int(session.scalar(query) or 0)


def peers(session: Session) -> list[PeerRow]:
    """The hub (on a node) or the enrolled nodes (on the hub), with the last exchange."""
    result = []
    receipts = dict(
        session.execute(
            select(SyncBatch.peer_node, func.max(SyncBatch.receipt_at)).group_by(
                SyncBatch.peer_node
            )
        ).all()
    )
    for peer in session.scalars(select(SyncPeer).order_by(SyncPeer.kind, SyncPeer.name)):
        pending = 0 if peer.revoked_at else _pending_for(session, peer)
        heard = [t for t in (peer.last_import_at, receipts.get(peer.node_id)) if t is not None]
        result.append(
            PeerRow(
                peer.node_id,
                peer.name,
                peer.kind,
                KIND_LABELS.get(peer.kind, peer.kind),
                peer.unit_cnes or "",
                peer.team,
                peer.enrolled_at,
                peer.revoked_at,
                peer.last_export_at,
                max(heard, default=None),
                peer.sent_seq,
                peer.acked_seq,
                pending,
            )
        )
    return result


# --- history ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchRow:
    at: datetime
    direction: str  # "out" | "in"
    direction_label: str
    peer_name: str
    file_name: str
    status: str
    status_label: str
    first_seq: int
    last_seq: int
    changes: int
    applied: int
    conflicts: int
    rejected: int
    receipt_at: datetime | None
    reason: str


def history(session: Session, limit: int = 200) -> list[BatchRow]:
    """Batch files exported and imported here, newest first."""
    query = select(SyncBatch).order_by(SyncBatch.at.desc(), SyncBatch.id.desc()).limit(limit)
    return [
        BatchRow(
            b.at,
            b.direction,
            "enviado" if b.direction == "out" else "recebido",
            b.peer_name,
            b.file_name,
            b.status,
            BATCH_STATUS.get(b.status, b.status),
            b.first_seq,
            b.last_seq,
            b.change_count,
            b.applied_count,
            b.conflict_count,
            len(b.rejected or []),
            b.receipt_at,
            b.reason,
        )
        for b in session.scalars(query)
    ]


def skew_warning(session: Session) -> str:
    """The clock warning raised by an imported batch, or ""."""
    return state_row(session).skew_warning or ""


# --- conflicts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    id: uuid.UUID
    opened_at: datetime
    table_label: str
    record_label: str
    kind_label: str
    fields_label: str
    local_name: str
    remote_name: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    local: str
    remote: str
    current: str
    differs: bool
    in_conflict: bool


@dataclass(frozen=True)
class ConflictDetail:
    id: uuid.UUID
    kind: str
    kind_label: str
    table_label: str
    record_label: str
    local_name: str
    remote_name: str
    winner: str  # "local" | "remote"
    winner_label: str
    fields: list[FieldDiff]
    explanation: str
    resolved: bool

    @property
    def choosable(self) -> list[FieldDiff]:
        """The fields a person decides (the rest merged by themselves or did not change)."""
        return [f for f in self.fields if f.in_conflict]


def _node_names(session: Session) -> dict[str, str]:
    names = {p.node_id: p.name for p in session.scalars(select(SyncPeer))}
    try:
        me = identity(session)
    except ValidationError:  # not configured yet: no names to show
        return names
    names[me.node_id] = f"{me.name} (este computador)"
    return names


def _node_name(names: dict[str, str], node_id: str) -> str:
    return names.get(node_id) or "outro computador"


def _record_label(table_name: str, row: dict[str, Any]) -> str:
    for key in ("name", "trade_name", "legal_name", "description", "code"):
        if row.get(key):
            return str(row[key])
    if row.get("due_on"):
        return f"prevista para {show_value(row['due_on'])}"
    return RECORD_LABELS.get(table_name, "registro")


def _as_row(cls: type[Any], obj: Any) -> dict[str, Any]:
    return {c.name: to_json_value(getattr(obj, a.key)) for a in _attrs(cls) for c in a.columns}


def _live_row(session: Session, conflict: SyncConflict) -> dict[str, Any]:
    cls = synced_tables().get(conflict.table_name)
    if cls is None:
        return {}
    obj = session.get(cls, uuid.UUID(conflict.row_id))
    if obj is None and conflict.kind == "duplicate":
        obj = _existing_twin(session, cls, conflict.remote_row)
    return _as_row(cls, obj) if obj is not None else {}


def _existing_twin(session: Session, cls: type[Any], row: dict[str, Any]) -> Any:
    """The record here that holds the same unique key as a refused incoming one."""
    from app.sync.apply import _unique_column_sets, from_json

    table = cls.__table__
    for columns in _unique_column_sets(table):
        values = [row.get(c) for c in columns]
        if any(v in (None, "") for v in values):
            continue
        conditions = [
            table.c[c] == from_json(table.c[c], v) for c, v in zip(columns, values, strict=True)
        ]
        found = session.scalars(select(cls).where(*conditions)).first()
        if found is not None:
            return found
    return None


def _attrs(cls: type[Any]) -> list[Any]:
    from sqlalchemy import inspect

    return list(inspect(cls).column_attrs)


def data_columns(table_name: str) -> list[str]:
    """The columns of a synced table a person may see and decide about, in table order."""
    cls = synced_tables().get(table_name)
    if cls is None:
        return []
    names = [a.columns[0].name for a in _attrs(cls)]
    return [n for n in names if n not in HIDDEN and not n.endswith("_key")]


def show_value(value: Any) -> str:
    """A stored (JSON) value as a clerk reads it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "sim" if value else "não"
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            if len(value) == 10:
                return date.fromisoformat(value).strftime("%d/%m/%Y")
            return datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return value
    return str(value)


def load_conflict(session: Session, conflict_id: uuid.UUID | str) -> SyncConflict:
    key = conflict_id if isinstance(conflict_id, uuid.UUID) else uuid.UUID(str(conflict_id))
    conflict = session.get(SyncConflict, key)
    if conflict is None:
        raise NotFound("Conflito não encontrado.")
    return conflict


def open_conflicts(session: Session) -> list[ConflictRow]:
    """Conflicts waiting for a person, oldest first."""
    names = _node_names(session)
    query = (
        select(SyncConflict)
        .where(SyncConflict.resolved_at.is_(None))
        .order_by(SyncConflict.opened_at, SyncConflict.id)
    )
    rows = []
    for c in session.scalars(query):
        row = c.local_row or c.remote_row
        fields = ", ".join(field_label(f) for f in c.fields) or (
            "exclusão" if c.kind == "delete" else "registro inteiro"
        )
        rows.append(
            ConflictRow(
                c.id,
                c.opened_at,
                RECORD_LABELS.get(c.table_name, table_label(c.table_name)),
                _record_label(c.table_name, row),
                CONFLICT_KINDS.get(c.kind, c.kind),
                fields,
                _node_name(names, c.local_node),
                _node_name(names, c.remote_node),
            )
        )
    return rows


def _choosable(conflict: SyncConflict) -> set[str]:
    if conflict.kind == "duplicate":
        return set()
    extra = {"deleted_at"} if conflict.kind == "delete" else set()
    return set(conflict.fields) | extra


def _explanation(conflict: SyncConflict, local: str, remote: str) -> str:
    if conflict.kind == "duplicate":
        return (
            f"O registro recebido de {remote} tem o mesmo documento (CPF, CNS ou código) de um "
            "registro que já existe aqui, por isso não foi criado. Confira os dados e, se for a "
            "mesma pessoa, mantenha o registro existente."
        )
    if conflict.kind == "delete":
        return (
            "Um computador excluiu este registro enquanto o outro o alterava. Escolha se ele "
            "continua excluído ou volta a valer, e quais valores ficam."
        )
    if conflict.kind == "state":
        return (
            f"A situação foi mudada em {local} e em {remote} sem que um visse a mudança do "
            "outro. Fica a situação mais adiantada (o que já foi feito não se desfaz); confira "
            "e salve para encerrar o conflito."
        )
    return (
        f"Os campos destacados foram alterados em {local} e em {remote} sem que um visse a "
        "alteração do outro. Escolha, campo a campo, qual valor fica; a escolha vale para "
        "todos os computadores."
    )


def conflict_detail(session: Session, conflict_id: uuid.UUID | str) -> ConflictDetail:
    """Both versions of a conflict, field by field, with the value in effect now."""
    conflict = load_conflict(session, conflict_id)
    names = _node_names(session)
    local_name = _node_name(names, conflict.local_node) if conflict.local_node else "aqui"
    remote_name = _node_name(names, conflict.remote_node)
    live = _live_row(session, conflict)
    local = conflict.local_row or (live if conflict.kind == "duplicate" else {})
    remote = conflict.remote_row
    choosable = _choosable(conflict)
    enums = _enum_classes(conflict.table_name)
    targets = _referenced_tables(conflict.table_name)

    def shown(name: str, value: Any) -> str:
        if name in targets and value:
            return _referenced_label(session, targets[name], value)
        return _shown(name, value, enums.get(name))

    fields = []
    for name in data_columns(conflict.table_name):
        mine, theirs = local.get(name), remote.get(name)
        fields.append(
            FieldDiff(
                name,
                field_label(name),
                shown(name, mine),
                shown(name, theirs),
                shown(name, live.get(name)) if live else EMPTY,
                mine != theirs,
                name in choosable,
            )
        )
    winner_name = local_name if conflict.winner == "local" else remote_name
    return ConflictDetail(
        conflict.id,
        conflict.kind,
        CONFLICT_KINDS.get(conflict.kind, conflict.kind),
        RECORD_LABELS.get(conflict.table_name, table_label(conflict.table_name)),
        _record_label(conflict.table_name, remote or local),
        local_name,
        remote_name,
        conflict.winner,
        f"versão de {winner_name}",
        fields,
        _explanation(conflict, local_name, remote_name),
        conflict.resolved_at is not None,
    )


def open_conflict_count(session: Session) -> int:
    query = select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))
    return int(session.scalar(query) or 0)


def _shown(name: str, value: Any, enum_class: Any = None) -> str:
    if name == "deleted_at" and not value:
        return "não excluído"
    if enum_class is not None and value is not None:
        try:
            return str(getattr(enum_class(value), "label", value))
        except ValueError:
            return str(value)
    return show_value(value)


def _referenced_tables(table_name: str) -> dict[str, str]:
    """Column → the synced table its foreign key points to (shown by name, not by id)."""
    cls = synced_tables().get(table_name)
    if cls is None:
        return {}
    found = {}
    for column in cls.__table__.columns:
        for key in column.foreign_keys:
            if key.column.table.name in synced_tables():
                found[column.name] = key.column.table.name
    return found


def _referenced_label(session: Session, table_name: str, value: Any) -> str:
    cls = synced_tables()[table_name]
    try:
        row = session.get(cls, uuid.UUID(str(value)))
    except ValueError:
        return str(value)
    if row is None:
        return f"{RECORD_LABELS.get(table_name, 'registro')} não encontrado aqui"
    return _record_label(table_name, _as_row(cls, row))


def _enum_classes(table_name: str) -> dict[str, Any]:
    cls = synced_tables().get(table_name)
    if cls is None:
        return {}
    columns = cls.__table__.columns
    return {c.name: getattr(c.type, "enum_class", None) for c in columns}


# --- what the sync center shows at once, and summaries of an operation -----------------------


@dataclass(frozen=True)
class SyncOverview:
    node_name: str
    kind_label: str
    cnes: str
    epoch: int
    skew: str
    pending: list[tuple[str, int]]
    peers: list[PeerRow]
    history: list[BatchRow]
    conflicts: list[ConflictRow]

    @property
    def pending_total(self) -> int:
        return sum(count for _label, count in self.pending)


def overview(session: Session) -> SyncOverview:
    me = identity(session)
    return SyncOverview(
        me.name,
        KIND_LABELS.get(me.kind, me.kind),
        me.unit_cnes or "",
        me.epoch,
        skew_warning(session),
        pending_by_table(session),
        peers(session),
        history(session),
        open_conflicts(session),
    )


def export_targets(session: Session) -> list[tuple[str, str]]:
    """Where "export" writes: a node to its hub, the hub to every enrolled node (id, name)."""
    me = identity(session)
    query = select(SyncPeer.node_id, SyncPeer.name).where(SyncPeer.revoked_at.is_(None))
    if me.kind != "hub":
        query = query.where(SyncPeer.kind == "hub")
    return [(node_id, name) for node_id, name in session.execute(query.order_by(SyncPeer.name))]


def export_summary(results: list[tuple[str, Any]]) -> str:
    """One line per destination of an export (`results`: name and `ExportResult`)."""
    if not results:
        return "Nenhum destino cadastrado: faça o cadastro com a central primeiro."
    lines = []
    for name, result in results:
        if result.restore_message:
            lines.append(result.restore_message)
        if result.changes:
            lines.append(
                f"Exportado para {name}: {result.changes} alteração(ões) em "
                f"{len(result.files)} arquivo(s)."
            )
        else:
            lines.append(f"Nada a exportar para {name}: tudo já foi enviado.")
    return "\n".join(lines)


def import_summary(outcomes: list[Any]) -> str:
    """Counts per result of an import, then each refused file with its reason."""
    if not outcomes:
        return "Nenhum lote ou recibo para este computador na pasta."
    statuses = (*BATCH_STATUS, "receipt", "reference")
    count = {s: sum(1 for o in outcomes if o.status == s) for s in statuses}
    changes = sum(o.applied for o in outcomes if o.status == "applied")
    conflicts = sum(o.conflicts for o in outcomes)
    parts = [
        f"{n} {label}"
        for n, label in (
            (count["applied"], f"lote(s) aplicado(s) ({changes} alteração(ões))"),
            (count["duplicate"], "já importado(s)"),
            (count["parked"], "aguardando lote anterior"),
            (count["refused"], "recusado(s)"),
            (count["receipt"], "recibo(s) de confirmação"),
            (count["reference"], "pacote(s) da central (tabelas de referência, perfis)"),
        )
        if n
    ]
    lines = [", ".join(parts) + "."]
    if conflicts:
        lines.append(f"{conflicts} conflito(s) para revisar na aba Conflitos.")
    refused = [o for o in outcomes if o.status == "refused"]
    if refused:
        lines.append("Arquivos recusados (movidos para a quarentena):")
        lines += [f"• {o.file.name}: {o.message}" for o in refused]
    return "\n".join(lines)


def last_exchange(session: Session) -> datetime | None:
    """When something last arrived from a peer (a batch or a receipt): the last sync."""
    batch = session.scalar(select(func.max(SyncPeer.last_import_at)))
    receipt = session.scalar(select(func.max(SyncBatch.receipt_at)))
    return max((t for t in (batch, receipt) if t is not None), default=None)
