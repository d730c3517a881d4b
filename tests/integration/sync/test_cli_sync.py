"""The `sync` commands of the CLI, end to end on real node files and a shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.installation.models import NodeKind
from tests.integration.sync.network import UNIT_A, add_citizen, make_node, snapshot


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def scene(tmp_path: Path) -> dict[str, Path]:
    """A hub and a unit (separate SQLite files), not yet enrolled, and an empty shared folder."""
    for name, kind, cnes in (("Central", NodeKind.HUB, ""), ("UBS Centro", NodeKind.UNIT, UNIT_A)):
        make_node(tmp_path / "nos", name, kind, cnes).dispose()
    return {
        "hub": tmp_path / "nos" / "Central.sqlite3",
        "unit": tmp_path / "nos" / "UBS Centro.sqlite3",
        "share": tmp_path / "pendrive",
        "root": tmp_path,
    }


def _enrol(capsys: pytest.CaptureFixture[str], scene: dict[str, Path]) -> None:
    request, answer = scene["root"] / "ubs.smpedido", scene["root"] / "ubs.smcadastro"
    code, out, _ = _run(capsys, "--db", scene["unit"], "sync", "request", request)
    assert code == 0 and "Pedido de cadastro gravado" in out
    code, out, _ = _run(
        capsys, "--db", scene["hub"], "sync", "enrol", request, answer, "--equipe", "ESF 1"
    )
    assert (code, out.strip()) == (
        0,
        f"UBS Centro cadastrado. Leve o arquivo {answer} a esse computador.",
    )
    code, out, _ = _run(capsys, "--db", scene["unit"], "sync", "join", answer)
    assert (code, out.strip()) == (0, "Cadastro concluído: este computador sincroniza com Central.")


def _unit_db(scene: dict[str, Path]):
    from app.bootstrap import open_database

    return open_database(str(scene["unit"]))


def test_enrol_export_ingest_import_through_the_cli(
    capsys: pytest.CaptureFixture[str], scene: dict[str, Path]
) -> None:
    _enrol(capsys, scene)
    unit = _unit_db(scene)
    citizen = add_citizen(unit, "Maria da Silva")
    unit.dispose()

    code, out, _ = _run(capsys, "--db", scene["unit"], "sync", "status")
    assert code == 0
    assert "Computador: UBS Centro (Unidade de saúde), época 1" in out
    assert "  Cidadãos: 1" in out
    assert "Central (Central, cadastrado): último envio nunca" in out
    assert "1 a enviar" in out

    code, out, _ = _run(capsys, "--db", scene["unit"], "sync", "export", scene["share"])
    assert code == 0
    assert out.startswith("Exportado para Central: ") and "em 1 arquivo(s)." in out

    code, out, _ = _run(capsys, "--db", scene["hub"], "sync", "ingest", scene["share"])
    assert code == 0
    assert out.startswith("UBS Centro: ") and "recebida(s)" in out

    code, out, _ = _run(capsys, "--db", scene["unit"], "sync", "import", scene["share"])
    assert code == 0
    assert "recibo — recibo de Central: lote confirmado" in out

    code, out, _ = _run(capsys, "--db", scene["unit"], "sync", "status")
    assert "Alterações pendentes: 0" in out and "Conflitos em aberto: 0" in out
    code, out, _ = _run(capsys, "--db", scene["unit"], "sync", "export", scene["share"])
    assert (code, out.strip()) == (0, "Nada a exportar para Central: tudo já foi enviado.")
    from app.bootstrap import open_database

    hub = open_database(str(scene["hub"]))
    try:
        assert snapshot(hub, ["citizen"])["citizen"][citizen]["name"] == "Maria da Silva"
    finally:
        hub.dispose()


def test_a_damaged_batch_is_refused_with_its_reason_and_exit_code_1(
    capsys: pytest.CaptureFixture[str], scene: dict[str, Path]
) -> None:
    _enrol(capsys, scene)
    unit = _unit_db(scene)
    add_citizen(unit, "João Pereira")
    unit.dispose()
    assert _run(capsys, "--db", scene["unit"], "sync", "export", scene["share"])[0] == 0
    batch = next((scene["share"] / "saida").rglob("*.smlote"))
    data = batch.read_bytes()
    batch.write_bytes(data[: len(data) // 2])  # a copy interrupted half way

    code, out, _ = _run(capsys, "--db", scene["hub"], "sync", "ingest", scene["share"])
    assert code == 1
    assert f"{batch.name}: RECUSADO — O arquivo está incompleto (cópia interrompida?)" in out
    reason = scene["share"] / "quarentena" / f"{batch.name}.motivo.txt"
    assert "O arquivo está incompleto" in reason.read_text(encoding="utf-8")


def test_export_before_enrolment_and_a_wrong_enrolment_file_are_explained(
    capsys: pytest.CaptureFixture[str], scene: dict[str, Path]
) -> None:
    code, _out, err = _run(capsys, "--db", scene["unit"], "sync", "export", scene["share"])
    assert code == 1
    assert err.strip() == "Nenhum destino cadastrado: faça o cadastro com a central primeiro."
    bogus = scene["root"] / "falso.smcadastro"
    bogus.write_text("isto não é um cadastro", encoding="utf-8")
    code, _out, err = _run(capsys, "--db", scene["unit"], "sync", "join", bogus)
    assert code == 2 and err.strip()


def test_the_hub_reserves_a_numbering_range_that_reaches_the_unit(
    capsys: pytest.CaptureFixture[str], scene: dict[str, Path]
) -> None:
    from app.bootstrap import open_database
    from app.sync.numbering import draw_number, number_label

    _enrol(capsys, scene)
    unit = _unit_db(scene)
    unit_id = unit.node_id
    unit.dispose()
    code, out, _ = _run(
        capsys, "--db", scene["hub"], "sync", "range", unit_id, "auto-infracao", 2026, 50
    )
    assert (code, out.splitlines()[0]) == (
        0,
        "Faixa auto-infracao/2026: números 1 a 50 reservados para o computador.",
    )
    code, _, err = _run(capsys, "--db", scene["unit"], "sync", "range", unit_id, "x", 2026, 5)
    assert code == 2 and "Somente a central distribui faixas de numeração." in err
    assert _run(capsys, "--db", scene["hub"], "sync", "ingest", scene["share"])[0] == 0
    assert _run(capsys, "--db", scene["unit"], "sync", "import", scene["share"])[0] == 0
    unit = open_database(str(scene["unit"]))
    try:
        with unit.unit_of_work("admin") as session:
            assert number_label(draw_number(session, "auto-infracao", 2026)) == "0001/2026"
    finally:
        unit.dispose()
