"""Municipality lookup: the bundled IBGE table, UF membership and the messages a form shows."""

from __future__ import annotations

import json

from app.brazil import ibge
from app.brazil.identifiers import is_valid_ibge_municipality
from app.paths import resource_path


def _bundled() -> dict[str, dict[str, str]]:
    path = resource_path("reference", "municipios-brutils-2.5.0.json")
    data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_every_bundled_code_passes_the_check_digit_rule() -> None:
    codes = [code for towns in _bundled().values() for code in towns.values()]
    assert len(codes) == 5570
    assert len(set(codes)) == 5570
    refused = [code for code in codes if not is_valid_ibge_municipality(code)]
    assert refused == []


def test_ufs_are_the_27_of_the_table() -> None:
    assert len(ibge.UFS) == 27
    assert list(ibge.UFS) == sorted(_bundled())


def test_lookup_by_code() -> None:
    assert ibge.municipality_uf("3550308") == "SP"
    assert ibge.municipality_uf("5300108") == "DF"  # Brasília
    assert ibge.municipality_uf("3550309") is None
    assert ibge.municipality_exists("3304557")  # Rio de Janeiro
    assert not ibge.municipality_exists("3304558")
    assert ibge.municipality_name("3550308") == "Sao Paulo"


def test_municipalities_of_a_uf_are_alphabetical_with_display_names() -> None:
    rows = ibge.municipalities_of("sp")
    assert len(rows) == 645
    assert ("3550308", "Sao Paulo") in rows
    names = [name for _, name in rows]
    assert names == sorted(names, key=str.lower)
    assert ibge.municipalities_of("XX") == []


def test_display_names_keep_portuguese_particles_in_lower_case() -> None:
    names = dict(ibge.municipalities_of("AL")).values()
    assert "Olho d'Agua das Flores" in names
    ro = dict(ibge.municipalities_of("RO")).values()
    assert "Alta Floresta d'Oeste" in ro
    assert "Ji-Parana" in ro
    assert "Pingo-d'Agua" in dict(ibge.municipalities_of("MG")).values()


def test_municipality_error_messages() -> None:
    assert ibge.municipality_error("3550308") is None
    assert ibge.municipality_error("3550308", "SP") is None
    assert ibge.municipality_error("3550308", "sp") is None
    assert ibge.municipality_error("") is None
    assert ibge.municipality_error("3550309") == (
        "Código IBGE inválido: o dígito verificador não confere."
    )
    # 3550316 has a correct check digit but no municipality carries it.
    assert is_valid_ibge_municipality("3550316")
    assert ibge.municipality_error("3550316") == (
        "Código IBGE não encontrado na tabela de municípios."
    )
    assert ibge.municipality_error("3304557", "SP") == (
        "O código 3304557 é do município Rio de Janeiro/RJ, que não fica em SP."
    )
    assert ibge.municipality_error("3304557", "XY") == "UF desconhecida: XY."
