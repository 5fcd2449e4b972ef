"""What every register file format shares: size limits, decoding, atomic writes."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from weerbaar.errors import FileFormatError

MAX_FILE_BYTES = 256 * 1024 * 1024

# Bytes that Windows-1252 leaves undefined: their presence means the text is in
# some other single-byte encoding, and guessing would corrupt it silently.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


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


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or Windows-1252; anything else is refused.

    Windows-1252 is what Dutch Excel saves as "CSV"; ë, é and ’ are all in it.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise FileFormatError(
            f"{name}: looks like UTF-16 or a binary file; save it as UTF-8 text "
            "(in Excel: CSV UTF-8)"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    bad = sorted({b for b in data if b in _CP1252_UNDEFINED})
    if bad:
        position = utf8_error.start
        raise FileFormatError(
            f"{name}: neither UTF-8 (bad byte 0x{data[position]:02x} at offset {position}) "
            f"nor Windows-1252 (byte 0x{bad[0]:02x} is undefined there); save it as UTF-8"
        )
    return data.decode("cp1252")


def decode_utf8(data: bytes, name: str) -> str:
    """UTF-8, with or without BOM, and nothing else: JSON and YAML are UTF-8 by
    definition, so a file in another encoding is refused rather than guessed at."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileFormatError(f"{name}: looks like UTF-16; save it as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileFormatError(
            f"{name} line {line}: not UTF-8 (bad byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8"
        ) from None


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
