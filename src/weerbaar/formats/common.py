"""What every register file format shares: size limits, atomic writes. Decoding is
:mod:`weerbaar.text_decoding`, which the signal readers share."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from weerbaar.errors import FileFormatError

MAX_FILE_BYTES = 256 * 1024 * 1024


def check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise unreadable(path, exc) from None
    if size > MAX_FILE_BYTES:
        raise FileFormatError(
            f"{path}: {size:,} bytes is more than the {MAX_FILE_BYTES:,} an import accepts"
        )


def unreadable(path: Path, exc: OSError) -> FileFormatError:
    """A file the system will not read (a folder, no permission), said plainly."""
    return FileFormatError(f"{path}: cannot be read ({exc.strerror or exc})")


def read_bytes(path: Path) -> bytes:
    check_size(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise unreadable(path, exc) from None


def line_at(text: str, offset: int) -> int:
    """The line number (from 1) of a character offset in ``text``."""
    return text.count("\n", 0, offset) + 1


def refuse_nul(text: str, name: str) -> None:
    """Refuse text holding a NUL character: no register text has one, and it is how a
    binary file or one in UTF-16 without a byte order mark shows itself."""
    offset = text.find("\x00")
    if offset >= 0:
        raise FileFormatError(
            f"{name} line {line_at(text, offset)}: a NUL character; this is a binary "
            "file or text that is not UTF-8"
        )


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w", **kw: object) -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` at the end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kw) as handle:  # type: ignore[call-overload]
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
