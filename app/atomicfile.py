"""Crash-safe file writing: a file is either the complete new version or left as it was.

`atomic_writer` writes to a hidden temporary file in the same folder, flushes it to disk, then
renames it over the target (a rename inside one folder is atomic on every OS we run on). A crash,
an exception or a USB stick pulled mid-copy leaves the old file (or no file) plus, at worst, a
stray `.*.tmp` that nothing reads.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


@contextlib.contextmanager
def atomic_writer(path: Path, *, mode: int = 0o666) -> Iterator[BinaryIO]:
    """Yield a binary file whose content replaces `path` only if the block ends without error.

    `mode` is the permission the file is created with (minus the umask), so a secret never
    exists on disk with wider permissions than asked, not even for a moment.
    """
    path = Path(path)
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    handle = os.fdopen(os.open(temp, _OPEN_FLAGS, mode), "wb")
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Persist the rename itself; Windows cannot open a folder for this and does not need to."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
