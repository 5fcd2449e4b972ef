"""Bytes to text for every input weerbaar reads: register files and signal inputs.

It sits just above :mod:`weerbaar.errors`, below the engines and the file formats, so
that the signal readers and :mod:`weerbaar.formats` decode the same way without one
importing the other.
"""

from __future__ import annotations

from weerbaar.errors import FileFormatError

# Bytes that Windows-1252 leaves undefined: their presence means the text is in
# some other single-byte encoding, and guessing would corrupt it silently.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


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
