"""Writing a backup file whole or not at all, and reading one back only if whole.

The archive is written under a hidden name beside its place, flushed to disk and
then renamed: a process killed halfway leaves at most that hidden file, never a half
backup under the name a restore would be pointed at. Reading checks every member
against the manifest (present, a plain file, its size and SHA-256) while copying it
out, and names the first thing that does not fit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path

from weerbaar.errors import StepError, said
from weerbaar.storage.backup.manifest import (
    MANIFEST,
    MANIFEST_MAX_BYTES,
    Manifest,
    Member,
    parse,
    refused,
)

_CHUNK = 1 << 20


def describe(path: Path) -> Member:
    """The size and SHA-256 of a file about to go into a backup."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Member(size=size, sha256=digest.hexdigest())


def write(path: Path, manifest: Manifest, files: Mapping[str, Path], *, force: bool) -> int:
    """Write the backup to ``path`` (replacing a file there only if ``force``): the
    manifest first, then each member from its file. Its size in bytes."""
    mtime = _epoch(manifest.created_at)
    descriptor, partial = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".partial", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                data = manifest.to_json()
                tar.addfile(_info(MANIFEST, len(data), mtime), io.BytesIO(data))
                for name, source in files.items():
                    with source.open("rb") as file:
                        tar.addfile(_info(name, manifest.members[name].size, mtime), file)
            raw.flush()
            os.fsync(raw.fileno())
            size = raw.tell()
        _publish(Path(partial), path, force=force)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return size


def _info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    # No owner names or ids of the machine that made it: the backup says what it holds only.
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o600
    return info


def _epoch(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso).timestamp())


def _publish(partial: Path, path: Path, *, force: bool) -> None:
    if force:
        os.replace(partial, path)
        return
    try:
        # A link fails if the name is taken, where a rename would replace it unasked.
        os.link(partial, path)
    except FileExistsError:
        raise StepError(
            said(
                "%(file)s exists already: choose another name, or give --force to replace it",
                file=str(path),
            )
        ) from None
    partial.unlink()


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read(path: Path, into: Path) -> tuple[Manifest, dict[str, Path]]:
    """The manifest of the backup at ``path`` and each member copied into ``into``
    (under its own name there), each checked against the manifest."""
    where = str(path)
    try:
        tar = tarfile.open(path, mode="r:")  # noqa: SIM115 - closed below, after the checks
    except tarfile.TarError:
        raise refused(where, said("it is not a tar archive")) from None
    with tar:
        try:
            listed = tar.getmembers()
        except (tarfile.TarError, EOFError):
            raise refused(where, said("the archive is damaged or cut short")) from None
        members: dict[str, tarfile.TarInfo] = {}
        for info in listed:
            if info.name in members:
                raise refused(where, said("it holds %(name)s twice", name=info.name))
            members[info.name] = info
        found = members.get(MANIFEST)
        if found is None:
            raise refused(where, said("it has no manifest.json"))
        manifest = parse(_small(tar, found, where), where=where)
        strange = sorted(set(members) - set(manifest.members) - {MANIFEST})
        if strange:
            names = ", ".join(strange)
            raise refused(
                where, said("it holds members its manifest does not list: %(names)s", names=names)
            )
        copied = {
            name: _copy_out(tar, members.get(name), name, expected, into / name, where)
            for name, expected in manifest.members.items()
        }
    return manifest, copied


def _small(tar: tarfile.TarFile, info: tarfile.TarInfo, where: str) -> bytes:
    if not info.isreg() or info.size > MANIFEST_MAX_BYTES:
        raise refused(where, said("its manifest.json is not a small plain file"))
    try:
        handle = tar.extractfile(info)
        assert handle is not None  # a plain file always has its data
        return handle.read()
    except (tarfile.TarError, EOFError):
        raise refused(where, said("the archive is damaged or cut short")) from None


def _copy_out(
    tar: tarfile.TarFile,
    info: tarfile.TarInfo | None,
    name: str,
    expected: Member,
    target: Path,
    where: str,
) -> Path:
    if info is None:
        raise refused(where, said("%(name)s is missing (cut short?)", name=name))
    if not info.isreg():
        raise refused(where, said("%(name)s is not a plain file", name=name))
    if info.size != expected.size:
        raise refused(
            where,
            said(
                "%(name)s has %(size)s bytes, the manifest says %(expected)s",
                name=name,
                size=info.size,
                expected=expected.size,
            ),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        handle = tar.extractfile(info)
        assert handle is not None
        with target.open("xb") as out:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except (tarfile.TarError, EOFError):
        raise refused(where, said("%(name)s is cut short", name=name)) from None
    if digest.hexdigest() != expected.sha256:
        raise refused(
            where,
            said("%(name)s is damaged: its SHA-256 is not the one in the manifest", name=name),
        )
    return target
