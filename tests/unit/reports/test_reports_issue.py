"""Issuing documents and checking them: the register, the audit trail, the verification answers."""

from __future__ import annotations

import random
import re
import uuid

import pytest
from reports_support import CLERK, READER, add_municipality, brasao_png, pdf_pages
from sqlalchemy import func, select

from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.reports.codes import new_code, normalize_code
from app.reports.components import text
from app.reports.issue import issue, verify, verify_pdf_bytes
from app.reports.models import IssuedDocument
from app.reports.page import PageInfo, build_pdf
from app.security import audit
from app.security.actor import Actor
from app.security.models import AuditEntry

PRINTED_CODE = re.compile(r"Código de verificação: (\S+)")
NO_PERMISSIONS = Actor(account_id=uuid.uuid4(), username="visitante", full_name="Visitante")


def _build(info: PageInfo) -> bytes:
    return build_pdf(info, [text("Conteúdo do documento de teste.")])


def _issue(db: Database, **changes: object) -> tuple[str, bytes]:
    arguments: dict[str, object] = {
        "kind": "test.document",
        "title": "Documento de teste",
        "subject_id": None,
        "department": "Cadastros",
        "build": _build,
        "parameters": {"filter": "x"},
    }
    arguments.update(changes)
    with db.unit_of_work() as s:
        issued = issue(s, CLERK, **arguments)  # type: ignore[arg-type]
        return issued.code, issued.pdf


def _one_character_changed(code: str) -> str:
    position = 2
    replacement = "7" if code[position] != "7" else "8"
    return code[:position] + replacement + code[position + 1 :]


def test_printing_requires_the_municipality_profile(db: Database) -> None:
    with db.unit_of_work() as s, pytest.raises(ValidationError) as raised:
        issue(s, CLERK, kind="k", title="t", subject_id=None, department="d", build=_build)
    assert raised.value.errors == {"": "Cadastre os dados do município antes de imprimir."}


def test_issued_document_is_registered_and_audited(db: Database) -> None:
    add_municipality(db, brasao_png())
    code, pdf = _issue(db)
    assert PRINTED_CODE.findall(pdf_pages(pdf)[0]) == [code]
    with db.read_only() as s:
        document = s.scalars(select(IssuedDocument)).one()
        assert (document.code, document.kind, document.title) == (
            code,
            "test.document",
            "Documento de teste",
        )
        assert document.issued_by_name == "Maria Aparecida Souza"
        assert document.page_count == 1
        assert document.parameters == {"filter": "x"}
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "print")).one()
        assert (entry.entity, entry.entity_id) == ("issued_document", str(document.id))


def test_the_printed_code_verifies(db: Database) -> None:
    add_municipality(db)
    code, _ = _issue(db)
    with db.unit_of_work() as s:
        result = verify(s, CLERK, code.lower().replace("-", " "))
    assert result.found and result.authentic
    assert result.message == (
        "Documento autêntico: Documento de teste, emitido em 02/03/2026 09:00 "
        "por Maria Aparecida Souza."
    )
    assert (result.title, result.page_count, result.issued_by) == (
        "Documento de teste",
        1,
        "Maria Aparecida Souza",
    )


def test_a_code_with_one_character_changed_is_refused_as_malformed(db: Database) -> None:
    add_municipality(db)
    code, _ = _issue(db)
    with db.unit_of_work() as s:
        result = verify(s, CLERK, _one_character_changed(code))
    assert not result.found
    assert result.message == "Código mal formado: confira os caracteres digitados."


def test_a_well_formed_code_never_issued_may_be_a_forgery(db: Database) -> None:
    add_municipality(db)
    _issue(db)
    with db.unit_of_work() as s:
        result = verify(s, CLERK, new_code(random.Random(99)))
    assert not result.found
    assert result.message == (
        "Nenhum documento emitido com este código. O documento pode ser falso."
    )


def test_the_saved_file_verifies_and_an_altered_file_does_not(db: Database) -> None:
    add_municipality(db)
    code, pdf = _issue(db)
    altered = pdf.replace(b"Documento de teste", b"Documento de TESTE")
    assert altered != pdf
    with db.unit_of_work() as s:
        intact = verify_pdf_bytes(s, CLERK, code, pdf)
        tampered = verify_pdf_bytes(s, CLERK, code, altered)
    assert intact.authentic and intact.message.startswith("Documento autêntico")
    assert tampered.found and not tampered.authentic
    assert tampered.message == "O conteúdo do arquivo não confere com o documento emitido."


def test_every_check_is_audited(db: Database) -> None:
    add_municipality(db)
    code, _ = _issue(db)
    with db.unit_of_work() as s:
        verify(s, CLERK, code)
        verify(s, CLERK, "nada")
    with db.read_only() as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.action == audit.VERIFY_DOCUMENT)
        ).all()
        assert [e.detail["found"] for e in entries] == [True, False]


def test_checking_needs_the_verify_permission(db: Database) -> None:
    add_municipality(db)
    code, pdf = _issue(db)
    with db.unit_of_work() as s:
        with pytest.raises(PermissionDenied):
            verify(s, NO_PERMISSIONS, code)
        with pytest.raises(PermissionDenied):
            verify_pdf_bytes(s, NO_PERMISSIONS, code, pdf)
        assert verify(s, READER, code).found


def test_each_document_gets_its_own_code(db: Database) -> None:
    add_municipality(db)
    codes = {_issue(db)[0] for _ in range(20)}
    assert len(codes) == 20
    with db.read_only() as s:
        stored = set(s.scalars(select(IssuedDocument.code)))
        assert s.scalar(select(func.count()).select_from(IssuedDocument)) == 20
    assert stored == codes
    assert all(len(normalize_code(c)) == 10 for c in codes)


def test_a_failed_build_registers_nothing(db: Database) -> None:
    add_municipality(db)

    def broken(_info: PageInfo) -> bytes:
        raise RuntimeError("falhou")

    with pytest.raises(RuntimeError):
        _issue(db, build=broken)
    with db.read_only() as s:
        assert s.scalar(select(func.count()).select_from(IssuedDocument)) == 0
