"""Person names: the search key stored beside every name, tidying, and the CADSUS/PEC name rules.

A name is stored as the user typed it (accents and case kept, spaces tidied) and, beside it, a key
in upper case without accents or punctuation, so "João D'Ávila" and "JOAO D AVILA" find each other.
`name_error` applies the subset of CADSUS RN002 that e-SUS APS PEC enforces ("Validar nome", LEDI
v7.2.1). The rule "the name is stored in upper case" concerns the file sent to the federal systems,
so the exporters upper-case; here the rules are checked case-insensitively.
"""

from __future__ import annotations

import re
import string
import unicodedata

# Typographic and keyboard variants of the apostrophe; the PEC page itself prints "‘" and "’".
_APOSTROPHES = frozenset("'’‘ʼ")
# Apostrophe look-alikes and hyphens separate words in the search key ("D'ÁVILA" → "D AVILA").
_KEY_SEPARATORS = str.maketrans(dict.fromkeys("'’‘ʼ`´-‐‑–—", " "))
# Combining marks of the accents the rule lists: agudo, circunflexo, til, trema.
_ACCENT_MARKS = frozenset({"\u0301", "\u0302", "\u0303", "\u0308"})
_CEDILLA = "\u0327"
_REPEATED_SPACE = re.compile(r"\s{2,}")


def normalize_key(text: str) -> str:
    """Search key: upper case, accents removed, apostrophes and hyphens as spaces, spaces tidied."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.translate(_KEY_SEPARATORS).upper().split())


def tidy_name(text: str) -> str:
    """`text` with runs of whitespace collapsed to one space and the ends stripped (NFC form)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _mark_allowed(mark: str, base: str) -> bool:
    # The cedilla is not among the listed "acentos gráficos", but Ç is a letter of Portuguese
    # spelling and thousands of registered names carry it (GONÇALVES, CONCEIÇÃO, ASSUNÇÃO); a
    # CADSUS/PEC that refused it could not hold those citizens, so we read "letras" as including
    # Ç. Not confirmed against PEC's code.
    if base not in string.ascii_letters:
        return False
    return mark in _ACCENT_MARKS or (mark == _CEDILLA and base in "cC")


def _forbidden_character(text: str) -> str | None:
    """The first character outside Roman letters, allowed accents, Ç, apostrophe and spaces."""
    base = ""
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if not _mark_allowed(ch, base):
                return unicodedata.normalize("NFC", base + ch)
            continue
        if not (ch in string.ascii_letters or ch in _APOSTROPHES or ch.isspace()):
            return ch
        base = ch
    return None


def _terms_error(terms: list[str]) -> str | None:
    """Rules 2, 6 and 7 of the PEC list, on the space-separated terms of the name."""
    if len(terms) < 2:
        return "Informe nome e sobrenome."
    if len(terms[0]) == 1 and len(terms[1]) == 1:
        return "O primeiro e o segundo termos do nome não podem ter uma letra só cada um."
    if len(terms) == 2 and len(terms[0]) == 2 and len(terms[1]) == 2:
        return "Nome com apenas dois termos de duas letras cada não é aceito."
    return None


def name_error(text: str) -> str | None:
    """Why `text` (as typed, not tidied) breaks the CADSUS/PEC name rules, or None; empty → None.

    Leading and trailing spaces are tolerated (tidy_name removes them); repeated spaces inside are
    reported, as PEC does, so the person sees and fixes them.
    """
    name = unicodedata.normalize("NFC", text.strip())
    if not name:
        return None
    forbidden = _forbidden_character(name)
    if forbidden is not None:
        return (
            f'Caractere não permitido no nome: "{forbidden}". Use apenas letras, acentos '
            "(agudo, circunflexo, til, trema), ç e apóstrofo."
        )
    if _REPEATED_SPACE.search(name):
        return "O nome não pode ter espaços duplicados."
    if len(name) < 3:
        return "O nome deve ter pelo menos 3 caracteres."
    return _terms_error(name.split())
