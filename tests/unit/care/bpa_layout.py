"""The BPA-Magnético layout typed again from br-health §4.1 (not imported from app.care.bpa) and
a parser of whole files, shared by the tests that read BPA files back field by field."""

from __future__ import annotations

# (field, first position, last position), 1-based and inclusive, as br-health §4.1 lists them.
HEADER_FIELDS = [
    ("hdr", 1, 2), ("tag", 3, 7), ("mvm", 8, 13), ("lin", 14, 19), ("flh", 20, 25),
    ("control", 26, 29), ("rsp", 30, 59), ("sgl", 60, 65), ("cgccpf", 66, 79),
    ("dst", 80, 119), ("dst_in", 120, 120), ("versao", 121, 130),
]  # fmt: skip
BPA_C_FIELDS = [
    ("ident", 1, 2), ("cnes", 3, 9), ("cmp", 10, 15), ("cbo", 16, 21), ("flh", 22, 24),
    ("seq", 25, 26), ("pa", 27, 36), ("idade", 37, 39), ("qt", 40, 45), ("org", 46, 48),
]  # fmt: skip
BPA_I_FIELDS = [
    ("ident", 1, 2), ("cnes", 3, 9), ("cmp", 10, 15), ("cnsmed", 16, 30), ("cbo", 31, 36),
    ("dtaten", 37, 44), ("flh", 45, 47), ("seq", 48, 49), ("pa", 50, 59), ("cnspac", 60, 74),
    ("sexo", 75, 75), ("ibge", 76, 81), ("cid", 82, 85), ("idade", 86, 88), ("qt", 89, 94),
    ("caten", 95, 96), ("naut", 97, 109), ("org", 110, 112), ("nmpac", 113, 142),
    ("dtnasc", 143, 150), ("raca", 151, 152), ("etnia", 153, 156), ("nac", 157, 159),
    ("srv", 160, 162), ("clf", 163, 165), ("equipe_seq", 166, 173), ("equipe_area", 174, 177),
    ("cnpj", 178, 191), ("cep", 192, 199), ("lograd", 200, 202), ("end", 203, 232),
    ("compl", 233, 242), ("num", 243, 247), ("bairro", 248, 277), ("ddtel", 278, 288),
    ("email", 289, 328), ("ine", 329, 338), ("cpf", 339, 349), ("situacao_rua", 350, 350),
]  # fmt: skip
LENGTHS = {"01": 130, "02": 48, "03": 350}


def parse_line(text: str, fields: list[tuple[str, int, int]]) -> dict[str, str]:
    return {name: text[first - 1 : last] for name, first, last in fields}


def parse_file(raw: bytes) -> list[dict[str, str]]:
    """Every record as a field dict; checks line ends and lengths on the way."""
    assert raw.endswith(b"\r\n")
    text = raw.decode("ascii")
    records = text.split("\r\n")[:-1]
    parsed = []
    for record in records:
        assert "\r" not in record and "\n" not in record
        kind = record[:2]
        assert len(record) == LENGTHS[kind], (kind, len(record))
        fields = {"01": HEADER_FIELDS, "02": BPA_C_FIELDS, "03": BPA_I_FIELDS}[kind]
        parsed.append(parse_line(record, fields))
    return parsed
