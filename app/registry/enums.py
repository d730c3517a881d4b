"""Enumerations of the registry, with the official code each federal system uses.

The same idea has different codes per system (sex: e-SUS 0/1/4, BPA M/F, SINAN M/F/I; race: BPA
01–05/99, SINAN 1–5/9), so the stored value is our own short string and each code is a property.
"""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "I"

    @property
    def label(self) -> str:
        return {"M": "Masculino", "F": "Feminino", "I": "Ignorado"}[self.value]

    @property
    def esus_code(self) -> int:
        return {"M": 0, "F": 1, "I": 4}[self.value]

    @property
    def bpa_code(self) -> str:
        return {"M": "M", "F": "F", "I": " "}[self.value]

    @property
    def sinan_code(self) -> str:
        return self.value


class Race(StrEnum):
    WHITE = "white"
    BLACK = "black"
    BROWN = "brown"
    YELLOW = "yellow"
    INDIGENOUS = "indigenous"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _RACE[self][0]

    @property
    def bpa_code(self) -> str:
        return _RACE[self][1]

    @property
    def sinan_code(self) -> str:
        return _RACE[self][2]


_RACE: dict[Race, tuple[str, str, str]] = {
    Race.WHITE: ("Branca", "01", "1"),
    Race.BLACK: ("Preta", "02", "2"),
    Race.BROWN: ("Parda", "03", "4"),
    Race.YELLOW: ("Amarela", "04", "3"),
    Race.INDIGENOUS: ("Indígena", "05", "5"),
    Race.UNKNOWN: ("Sem informação", "99", "9"),
}


class UnitKind(StrEnum):
    UBS = "ubs"
    SPECIALTY = "specialty"
    CAPS = "caps"
    EMERGENCY = "emergency"
    HOSPITAL = "hospital"
    LABORATORY = "laboratory"
    SURVEILLANCE = "surveillance"
    ADMINISTRATION = "administration"

    @property
    def label(self) -> str:
        return {
            "ubs": "Unidade Básica de Saúde",
            "specialty": "Centro de Especialidades",
            "caps": "Centro de Atenção Psicossocial",
            "emergency": "Pronto Atendimento",
            "hospital": "Hospital",
            "laboratory": "Laboratório",
            "surveillance": "Vigilância em Saúde",
            "administration": "Secretaria / Administração",
        }[self.value]
