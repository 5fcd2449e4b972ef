"""Checks on an XLSX file's zip archive before a workbook reader opens it.

An XLSX file is a zip of XML parts. A crafted one can hold a few kilobytes that
inflate to gigabytes (a zip bomb), or thousands of parts; a damaged one can lack
the parts every workbook has. The central directory states every part's sizes, and
Python's zipfile never inflates a part beyond its stated size, so checking the
stated sizes bounds what reading can cost.
"""

from __future__ import annotations

import zipfile
from typing import IO

from weerbaar.errors import FileFormatError, grouped, said

MAX_MEMBERS = 1_000  # a workbook of every entity has about 40 parts
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed; workbooks' XML stays far below (about 10)
RATIO_CHECKED_FROM = 1024 * 1024  # small parts may compress well without harm
REQUIRED_PARTS = ("[Content_Types].xml", "_rels/.rels")
# What zipfile raises on a file that is no zip, or one it cannot read (a newer version).
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError)


def check_xlsx_archive(handle: IO[bytes], name: str) -> None:
    """Refuse an archive that is no workbook or would cost too much to read."""
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise FileFormatError(
            said("%(name)s: not a readable XLSX workbook (%(error)s)", name=name, error=exc)
        ) from None
    finally:
        handle.seek(0)
    if len(members) > MAX_MEMBERS:
        raise FileFormatError(
            said(
                "%(name)s: an archive of %(count)s parts; a workbook has at most %(most)s",
                name=name,
                count=grouped(len(members)),
                most=grouped(MAX_MEMBERS),
            )
        )
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileFormatError(
            said(
                "%(name)s: its parts inflate to %(total)s bytes, more than the "
                "%(most)s an import reads",
                name=name,
                total=grouped(total),
                most=grouped(MAX_UNCOMPRESSED_BYTES),
            )
        )
    for member in members:
        if member.file_size >= RATIO_CHECKED_FROM and (
            member.file_size > MAX_RATIO * max(member.compress_size, 1)
        ):
            raise FileFormatError(
                said(
                    "%(name)s: part %(filename)s inflates %(file_size)s bytes from "
                    "%(compress_size)s, a ratio no workbook has (a zip bomb?)",
                    name=name,
                    filename=member.filename,
                    file_size=grouped(member.file_size),
                    compress_size=grouped(member.compress_size),
                )
            )
    names = {member.filename for member in members}
    missing = [part for part in REQUIRED_PARTS if part not in names]
    if missing:
        raise FileFormatError(
            said(
                "%(name)s: not a readable XLSX workbook: the archive lacks %(missing)s",
                name=name,
                missing=", ".join(missing),
            )
        )
