"""Headless commands for scripts, schedulers and support: `saude-municipal-cli <command>`.

migrate — create or upgrade the database (with backup); demo — fill an empty database with the
demo secretariat; audit-verify — check the hash chain of the audit trail; verify — check a printed
verification code. Messages are Portuguese (they reach people); exit codes: 0 ok, 1 check failed,
2 could not run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

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


COMMANDS: dict[str, tuple[str, Callable[[Database, argparse.Namespace], int]]] = {
    "migrate": ("cria ou atualiza o banco de dados", _cmd_migrate),
    "demo": ("cria os dados de demonstração num banco vazio", _cmd_demo),
    "audit-verify": ("verifica a integridade da trilha de auditoria", _cmd_audit_verify),
    "verify": ("verifica o código de um documento impresso", _cmd_verify),
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
