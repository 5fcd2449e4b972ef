"""PostgreSQL's own tools for a backup: ``pg_dump`` of one snapshot, ``pg_restore``
in one transaction, and a scratch database to restore into first.

The tools connect with a libpq URI made from the register's SQLAlchemy URL, without
its password: that goes to them in their environment (``PGPASSWORD``), never on a
command line, where any user of the machine could read it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from weerbaar.config import current_environment
from weerbaar.errors import ConfigError, said

_INSTALLED = Path("/usr/lib/postgresql")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


@dataclass(frozen=True, slots=True)
class Tools:
    dump: Path
    restore: Path
    major: int


def server_major(connection: Connection) -> int:
    version = connection.dialect.server_version_info
    return int(version[0]) if version else 0


def find_tools(bindir: Path | None, server: int) -> Tools:
    """``pg_dump`` and ``pg_restore`` at least as new as the server (version
    ``server``): in ``bindir`` if given, else on the PATH, else the newest installed
    under /usr/lib/postgresql."""
    if bindir is not None:
        folders = [bindir]
    else:
        on_path = shutil.which("pg_dump")
        installed = sorted(_INSTALLED.glob("*/bin"), key=_folder_version, reverse=True)
        folders = [Path(on_path).parent] if on_path else []
        folders += installed
    older: list[tuple[Path, int]] = []
    for folder in folders:
        dump, restore = folder / "pg_dump", folder / "pg_restore"
        if not (os.access(dump, os.X_OK) and os.access(restore, os.X_OK)):
            continue
        major = _tool_major(dump)
        if major >= server:
            return Tools(dump, restore, major)
        older.append((dump, major))
    if older:
        dump, major = older[0]
        raise ConfigError(
            said(
                "%(tool)s is PostgreSQL %(found)s, older than the server (%(server)s), and "
                "would refuse it: install PostgreSQL %(server)s's client tools (Debian: "
                "postgresql-client-%(server)s), or set WEERBAAR_PG_BINDIR to their folder",
                tool=str(dump),
                found=major,
                server=server,
            )
        )
    where = str(bindir) if bindir is not None else said("the PATH or /usr/lib/postgresql/*/bin")
    raise ConfigError(
        said(
            "pg_dump and pg_restore are not in %(where)s: install PostgreSQL %(server)s's "
            "client tools (Debian: postgresql-client-%(server)s), or set "
            "WEERBAAR_PG_BINDIR to their folder",
            where=where,
            server=server,
        )
    )


def _folder_version(folder: Path) -> int:
    name = folder.parent.name
    return int(name) if name.isdigit() else 0


def _tool_major(tool: Path) -> int:
    done = _run([str(tool), "--version"], env=None)
    found = _VERSION.search(done.stdout)
    if done.returncode != 0 or found is None:
        raise ConfigError(said("%(tool)s does not say its version", tool=str(tool)))
    return int(found.group(1))


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq URI of the SQLAlchemy ``url`` (without its password), and the
    environment the tools need besides this process's own (the password)."""
    parsed = make_url(url)
    password = parsed.password
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    extra = {"PGPASSWORD": str(password)} if password is not None else {}
    return plain.render_as_string(hide_password=False), extra


def dump(tools: Tools, url: str, snapshot: str, into: Path) -> None:
    """``pg_dump`` of the database at ``url`` as it is in the exported ``snapshot``."""
    uri, extra = libpq(url)
    command = [
        str(tools.dump),
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--no-password",
        f"--snapshot={snapshot}",
        f"--file={into}",
        f"--dbname={uri}",
    ]
    _check(_run(command, env=extra), "pg_dump")


def restore(tools: Tools, url: str, dump_file: Path) -> None:
    """``pg_restore`` of ``dump_file`` into the database at ``url``, all of it in one
    transaction: on any error nothing of it stays."""
    uri, extra = libpq(url)
    command = [
        str(tools.restore),
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
        "--no-password",
        f"--dbname={uri}",
        str(dump_file),
    ]
    _check(_run(command, env=extra), "pg_restore")


def _run(command: list[str], *, env: dict[str, str] | None) -> subprocess.CompletedProcess[str]:
    # The tools take libpq's own variables (PGPASSWORD, PGSSLMODE, …) from this
    # process, as its own connections do.
    environment = None if env is None else {**current_environment(), **env}
    try:
        return subprocess.run(  # noqa: S603 - PostgreSQL's tools, with arguments made here
            command, capture_output=True, text=True, check=False, env=environment
        )
    except OSError as exc:
        raise ConfigError(
            said("cannot run %(tool)s: %(detail)s", tool=command[0], detail=exc)
        ) from exc


def _check(done: subprocess.CompletedProcess[str], tool: str) -> None:
    if done.returncode == 0:
        return
    # Only the tool's own error lines: the lines of context after them can quote rows.
    lines = [line for line in done.stderr.splitlines() if line.startswith(f"{tool}: error:")]
    detail = " ".join(lines[:3]) or (done.stderr.strip().splitlines() or ["?"])[-1]
    raise ConfigError(said("%(tool)s failed: %(detail)s", tool=tool, detail=detail))


@contextmanager
def scratch_database(engine: Engine) -> Iterator[str]:
    """A new, empty database on the server of ``engine``, dropped afterwards even when
    the work in it failed; its URL."""
    name = f"weerbaar_scratch_{uuid.uuid4().hex[:16]}"
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    except DBAPIError as exc:
        raise ConfigError(
            said(
                "cannot create a scratch database to restore the backup into first: "
                "%(detail)s. The role of the register's URL needs the CREATEDB privilege "
                "(ALTER ROLE … CREATEDB), or use a role that has it",
                detail=str(exc.orig).strip(),
            )
        ) from exc
    try:
        yield make_url(engine.url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            force = " WITH (FORCE)" if server_major(connection) >= 13 else ""
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"{force}'))


@contextmanager
def exported_snapshot(engine: Engine) -> Iterator[tuple[str, Connection]]:
    """A transaction that sees one snapshot of the database, and the snapshot's name
    for ``pg_dump --snapshot``: what is read in it and what pg_dump writes are of the
    same moment. The transaction stays open until the dump is done."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            name = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            yield str(name), connection
