"""What every register file reader shares: the size limit, plain messages for a
file that cannot be read, and lines found in text. Decoding is
:mod:`weerbaar.text_decoding` (the signal readers share it); writing is
:mod:`.atomic`."""

from __future__ import annotations

from pathlib import Path

from weerbaar.errors import FileFormatError, grouped, said

MAX_FILE_BYTES = 256 * 1024 * 1024


def check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise unreadable(path, exc) from None
    if size > MAX_FILE_BYTES:
        raise FileFormatError(
            said(
                "%(path)s: %(size)s bytes is more than the %(most)s an import accepts",
                path=path,
                size=grouped(size),
                most=grouped(MAX_FILE_BYTES),
            )
        )


def unreadable(path: Path, exc: OSError) -> FileFormatError:
    """A file the system will not read (a folder, no permission), said plainly."""
    return FileFormatError(
        said("%(path)s: cannot be read (%(error)s)", path=path, error=exc.strerror or exc)
    )


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
            said(
                "%(name)s line %(line)s: a NUL character; this is a binary file or "
                "text that is not UTF-8",
                name=name,
                line=line_at(text, offset),
            )
        )
