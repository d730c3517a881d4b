"""Headless commands for scripts, schedulers and support: `saude-municipal-cli <command>`.

migrate — create or upgrade the database (with backup); demo — fill an empty database with the
demo secretariat; audit-verify — check the hash chain of the audit trail; verify — check a printed
verification code; sync — exchange batches with other computers (status, request, enrol, join,
revoke, export, import, ingest). Messages are Portuguese (they reach people); exit codes: 0 ok,
1 check failed (or a batch file refused), 2 could not run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.bootstrap import open_database
from app.db.session import Database
from app.errors import UserFacingError
from app.security.actor import SYSTEM


def _cmd_migrate(db: Database, _args: argparse.Namespace) -> int:
    print("Banco de dados atualizado.")
    return 0


def _cmd_demo(db: Database, args: argparse.Namespace) -> int:
    from app.installation.demo import create_demo
    from app.installation.service import is_configured

    with db.read_only() as session:
        if is_configured(session):
            print("O banco de dados já está configurado; nada foi criado.", file=sys.stderr)
            return 1
    summary = create_demo(db, citizens=args.citizens)
    print(f"Demonstração criada: {summary.citizens} cidadãos, {summary.units} unidades.")
    return 0


def _cmd_audit_verify(db: Database, _args: argparse.Namespace) -> int:
    from app.security import audit

    with db.unit_of_work(SYSTEM.username) as session:
        report = audit.verify_chain(session)
    print(report.message)
    return 0 if report.ok else 1


def _cmd_verify(db: Database, args: argparse.Namespace) -> int:
    from app.reports.issue import verify

    with db.unit_of_work(SYSTEM.username) as session:
        result = verify(session, SYSTEM, args.code)
    print(result.message)
    return 0 if result.found else 1


# --- sync ------------------------------------------------------------------------------------

STATUS_WORDS = {
    "applied": "aplicado",
    "duplicate": "já importado",
    "parked": "aguardando lote anterior",
    "refused": "RECUSADO",
    "receipt": "recibo",
    "reference": "recebido da central",
}


def _when(value: datetime | None, zone: str) -> str:
    if value is None:
        return "nunca"
    return value.astimezone(ZoneInfo(zone)).strftime("%d/%m/%Y %H:%M")


def _sync_status(db: Database, _args: argparse.Namespace) -> int:
    from app.installation.service import installation_info
    from app.sync import status
    from app.sync.node import identity

    with db.read_only() as session:
        me = identity(session)
        info = installation_info(session)
        zone = info.timezone if info else "America/Sao_Paulo"
        pending = status.pending_by_table(session)
        peers = status.peers(session)
        conflicts = status.open_conflict_count(session)
        skew = status.skew_warning(session)
    print(f"Computador: {me.name} ({status.KIND_LABELS.get(me.kind, me.kind)}), época {me.epoch}")
    print(f"Alterações pendentes: {sum(n for _, n in pending)}")
    for label, count in pending:
        print(f"  {label}: {count}")
    print("Computadores:" if peers else "Computadores: nenhum cadastrado")
    for peer in peers:
        cnes = f" {peer.cnes}" if peer.cnes else ""
        print(
            f"  {peer.name} ({peer.kind_label}{cnes}, {peer.state_label}): último envio "
            f"{_when(peer.last_export_at, zone)}, último recebimento "
            f"{_when(peer.last_import_at, zone)}, {peer.pending} a enviar"
        )
    print(f"Conflitos em aberto: {conflicts}")
    if skew:
        print(f"Atenção: {skew}")
    return 0


def _sync_request(db: Database, args: argparse.Namespace) -> int:
    from app.sync.node import write_request

    write_request(db, Path(args.arquivo))
    print(f"Pedido de cadastro gravado em {args.arquivo}; leve-o à central.")
    return 0


def _sync_enrol(db: Database, args: argparse.Namespace) -> int:
    from app.sync.node import enrol_node

    name = enrol_node(db, Path(args.pedido), Path(args.cadastro), team=args.equipe)
    print(f"{name} cadastrado. Leve o arquivo {args.cadastro} a esse computador.")
    return 0


def _sync_join(db: Database, args: argparse.Namespace) -> int:
    from app.sync.node import join_hub

    hub = join_hub(db, Path(args.cadastro))
    print(f"Cadastro concluído: este computador sincroniza com {hub}.")
    return 0


def _sync_revoke(db: Database, args: argparse.Namespace) -> int:
    from app.sync.node import revoke_node

    with db.unit_of_work(SYSTEM.username) as session:
        revoke_node(session, args.node_id)
    print("Computador revogado: os lotes dele serão recusados e nada mais será enviado a ele.")
    return 0


def _sync_range(db: Database, args: argparse.Namespace) -> int:
    from app.sync.numbering import allocate_range

    with db.unit_of_work(SYSTEM.username) as session:
        block = allocate_range(session, args.node_id, args.serie, args.ano, args.quantidade)
        first, last = block.first_number, block.last_number
    print(f"Faixa {args.serie}/{args.ano}: números {first} a {last} reservados para o computador.")
    print("Ela chega ao computador na próxima sincronização.")
    return 0


def _export_targets(db: Database) -> list[tuple[str, str]]:
    from app.sync.status import export_targets

    with db.read_only() as session:
        return export_targets(session)


def _sync_export(db: Database, args: argparse.Namespace) -> int:
    from app.sync.exporter import export_to
    from app.sync.status import export_summary

    targets = _export_targets(db)
    if not targets:
        print(export_summary([]), file=sys.stderr)
        return 1
    results = [
        (name, export_to(db, node_id, Path(args.pasta), resend=args.reenviar))
        for node_id, name in targets
    ]
    print(export_summary(results))
    return 0


def _print_outcomes(outcomes: list[Any]) -> bool:
    refused = False
    for outcome in outcomes:
        word = STATUS_WORDS.get(outcome.status, outcome.status)
        print(f"{outcome.file.name}: {word} — {outcome.message}")
        refused = refused or outcome.status == "refused"
    return refused


def _sync_import(db: Database, args: argparse.Namespace) -> int:
    from app.sync.folder import import_folder

    outcomes = import_folder(db, Path(args.pasta))
    if not outcomes:
        print("Nenhum arquivo para este computador na pasta.")
    return 1 if _print_outcomes(outcomes) else 0


def _sync_ingest(db: Database, args: argparse.Namespace) -> int:
    from app.sync.hub import ingest

    report = ingest(db, Path(args.pasta))
    received: dict[str, int] = {}
    for outcome in report.imported:
        if outcome.status == "applied":
            received[outcome.sender] = received.get(outcome.sender, 0) + outcome.applied
    names = sorted(set(received) | set(report.exported))
    for name in names:
        sent = report.exported.get(name)
        print(
            f"{name}: {received.get(name, 0)} alteração(ões) recebida(s); "
            f"{sent.changes if sent else 0} enviada(s) em {len(sent.files) if sent else 0} "
            "arquivo(s)"
        )
    refused = [o for o in report.imported if o.status == "refused"]
    for outcome in refused:
        print(f"{outcome.file.name}: RECUSADO — {outcome.message}")
    return 1 if refused else 0


SYNC_COMMANDS: dict[str, tuple[str, Callable[[Database, argparse.Namespace], int]]] = {
    "status": ("mostra o que falta sincronizar, os computadores e os conflitos", _sync_status),
    "request": ("(unidade) grava o pedido de cadastro deste computador", _sync_request),
    "enrol": ("(central) cadastra um computador a partir do pedido", _sync_enrol),
    "join": ("(unidade) importa o cadastro feito pela central", _sync_join),
    "revoke": ("(central) revoga um computador", _sync_revoke),
    "range": ("(central) reserva uma faixa de numeração a um computador", _sync_range),
    "export": ("grava os lotes a enviar na pasta", _sync_export),
    "import": ("importa os lotes e recibos da pasta", _sync_import),
    "ingest": ("(central) importa tudo da pasta e responde a cada computador", _sync_ingest),
}


def _cmd_sync(db: Database, args: argparse.Namespace) -> int:
    return SYNC_COMMANDS[args.sync_command][1](db, args)


def _add_sync_parser(cmd: argparse.ArgumentParser) -> None:
    sub = cmd.add_subparsers(dest="sync_command", required=True)
    for name, (help_text, _) in SYNC_COMMANDS.items():
        sub.add_parser(name, help=help_text)
    sub.choices["request"].add_argument("arquivo", help="arquivo do pedido (.smpedido)")
    sub.choices["enrol"].add_argument("pedido", help="pedido recebido (.smpedido)")
    sub.choices["enrol"].add_argument("cadastro", help="arquivo de cadastro a gravar (.smcadastro)")
    sub.choices["enrol"].add_argument("--equipe", default="", help="equipe que o computador atende")
    sub.choices["join"].add_argument("cadastro", help="arquivo de cadastro (.smcadastro)")
    sub.choices["revoke"].add_argument("node_id", help="identificador do computador")
    faixa = sub.choices["range"]
    faixa.add_argument("node_id", help="identificador do computador (veja sync status)")
    faixa.add_argument("serie", help="série do documento, por exemplo AI (auto de infração)")
    faixa.add_argument("ano", type=int, help="ano da numeração")
    faixa.add_argument("quantidade", type=int, help="quantos números reservar")
    for name in ("export", "import", "ingest"):
        sub.choices[name].add_argument("pasta", help="pasta compartilhada ou pendrive")
    sub.choices["export"].add_argument(
        "--reenviar", action="store_true", help="envia de novo o que ainda não foi confirmado"
    )


def _cmd_visa(db: Database, args: argparse.Namespace) -> int:
    """`visa verificar CODIGO`: is this sanitary licence valid today?"""
    from app.sanitary.licence_checks import cli_verify

    status, text = cli_verify(db, args.codigo)
    print(text)
    return status


COMMANDS: dict[str, tuple[str, Callable[[Database, argparse.Namespace], int]]] = {
    "migrate": ("cria ou atualiza o banco de dados", _cmd_migrate),
    "demo": ("cria os dados de demonstração num banco vazio", _cmd_demo),
    "audit-verify": ("verifica a integridade da trilha de auditoria", _cmd_audit_verify),
    "verify": ("verifica o código de um documento impresso", _cmd_verify),
    "sync": ("sincroniza com os outros computadores (lotes)", _cmd_sync),
    "visa": ("Vigilância Sanitária: verificar uma licença sanitária", _cmd_visa),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saude-municipal-cli", description=__doc__)
    parser.add_argument("--db", help="URL do PostgreSQL ou caminho do arquivo SQLite")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text)
        if name == "demo":
            cmd.add_argument("--citizens", type=int, default=3000)
        if name == "verify":
            cmd.add_argument("code", help="código de verificação impresso no documento")
        if name == "sync":
            _add_sync_parser(cmd)
        if name == "visa":
            visa = cmd.add_subparsers(dest="visa_command", required=True)
            check = visa.add_parser("verificar", help="verifica o código impresso numa licença")
            check.add_argument("codigo", help="código de verificação impresso na licença")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        db = open_database(args.db)
    except UserFacingError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command][1](db, args)
    except UserFacingError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    finally:
        db.dispose()


if __name__ == "__main__":
    sys.exit(main())
