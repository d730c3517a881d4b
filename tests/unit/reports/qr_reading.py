"""A small QR code reader for tests: reads the text of an undamaged QR code of version 1 or 2.

Written from the QR code standard (ISO/IEC 18004) so that a test can check what a phone would read
from a printed page without a new dependency. It samples the module grid from a rendered image,
finds the mask from the format information, unmasks, reads the codewords in the standard's zigzag
order and decodes numeric, alphanumeric and byte segments. It does no error correction: a test
page is rendered cleanly, so every module must come out right anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PIL import Image

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)
# Data codewords for error correction level M, by version (single block for versions 1 and 2).
_DATA_CODEWORDS_M = {1: 16, 2: 28}


Box = tuple[float, float, float, float]


def sample_grid(image: Image.Image, box: Box, modules: int) -> list[list[bool]]:
    """Dark or light of each module of a grid filling `box` (left, top, right, bottom, pixels)."""
    gray = image.convert("L")
    left, top, right, bottom = box
    step_x, step_y = (right - left) / modules, (bottom - top) / modules

    def dark(r: int, c: int) -> bool:
        value = gray.getpixel((left + (c + 0.5) * step_x, top + (r + 0.5) * step_y))
        return isinstance(value, int) and value < 128

    return [[dark(r, c) for c in range(modules)] for r in range(modules)]


def _is_function(r: int, c: int, size: int) -> bool:
    finder = (r <= 8 and c <= 8) or (r <= 8 and c >= size - 8) or (r >= size - 8 and c <= 8)
    alignment = size > 21 and size - 9 <= r <= size - 5 and size - 9 <= c <= size - 5
    return finder or alignment or r == 6 or c == 6


def _format_bits(level_bits: int, mask: int) -> int:
    data = level_bits << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | (rem & 0x3FF)) ^ 0x5412


def _read_format(grid: list[list[bool]]) -> int:
    """The format bits around the top-left finder (bit 0 first)."""
    places = (
        [(i, 8) for i in range(6)] + [(7, 8), (8, 8), (8, 7)] + [(8, 14 - i) for i in range(9, 15)]
    )
    return sum(int(grid[r][c]) << i for i, (r, c) in enumerate(places))


def _mask_of(grid: list[list[bool]]) -> int:
    found = _read_format(grid)
    for mask in range(8):
        if _format_bits(0, mask) == found:  # level M has the indicator bits 00
            return mask
    raise ValueError("format information does not say level M with a known mask")


def _zigzag(size: int) -> Iterator[tuple[int, int]]:
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            row = size - 1 - vert if upward else vert
            for col in (right, right - 1):
                if not _is_function(row, col, size):
                    yield row, col
        right -= 2


def _codewords(grid: list[list[bool]]) -> list[int]:
    size = len(grid)
    mask = _MASKS[_mask_of(grid)]
    bits = [int(grid[r][c] ^ mask(r, c)) for r, c in _zigzag(size)]
    count = _DATA_CODEWORDS_M[(size - 17) // 4]
    return [int("".join(map(str, bits[i * 8 : i * 8 + 8])), 2) for i in range(count)]


class _Bits:
    def __init__(self, data: list[int]) -> None:
        self.text = "".join(f"{byte:08b}" for byte in data)
        self.at = 0

    def take(self, n: int) -> int:
        value = int(self.text[self.at : self.at + n] or "0", 2)
        self.at += n
        return value

    def left(self) -> int:
        return len(self.text) - self.at


def _segment(bits: _Bits, mode: int) -> str:
    if mode == 0b0100:
        return bytes(bits.take(8) for _ in range(bits.take(8))).decode("latin-1")
    if mode == 0b0010:
        count, out = bits.take(9), []
        for _ in range(count // 2):
            pair = bits.take(11)
            out += [ALPHANUMERIC[pair // 45], ALPHANUMERIC[pair % 45]]
        if count % 2:
            out.append(ALPHANUMERIC[bits.take(6)])
        return "".join(out)
    if mode == 0b0001:
        count, out = bits.take(10), ""
        while count > 0:
            width = min(count, 3)
            out += str(bits.take({3: 10, 2: 7, 1: 4}[width])).zfill(width)
            count -= width
        return out
    raise ValueError(f"unsupported segment mode {mode:04b}")


def read_qr(grid: list[list[bool]]) -> str:
    """The text held by a version 1 or 2, level M QR code given as its module grid."""
    if len(grid) not in (21, 25):
        raise ValueError(f"only versions 1 and 2 are supported (got {len(grid)} modules)")
    bits = _Bits(_codewords(grid))
    text = ""
    while bits.left() >= 4:
        mode = bits.take(4)
        if mode == 0:
            break
        text += _segment(bits, mode)
    return text
