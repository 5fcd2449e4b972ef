"""End to end on a real SQLite register: generated and damaged files through
``weerbaar import`` and through signal ingestion. Every outcome is a result or one of
weerbaar's own errors; a refused import changes nothing, and ingestion writes
exactly what it reports (with an audit entry for each record)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.fuzz import register_documents as register_docs
from tests.fuzz import signal_documents as signal_docs
from tests.fuzz.budget import count, fuzz_settings
from tests.fuzz.mutations import damaged
from tests.fuzz.register_seed import Exports, build_register, export_all, snapshot
from weerbaar import formats
from weerbaar.cli.main import EXIT_CODES, app
from weerbaar.errors import WeerbaarError
from weerbaar.services.context import Context
from weerbaar.services.signal_ingest import ingest
from weerbaar.services.signal_sources import open_inputs
from weerbaar.services.transfer import import_register
from weerbaar.storage.db import Database

_randoms = st.integers(min_value=0, max_value=2**32 - 1).map(random.Random)
_OWN_EXIT_CODES = {code for _, code in EXIT_CODES}


class Register:
    """A seeded SQLite register, its exports and a folder for the files to import."""

    def __init__(self, root: Path) -> None:
        self.url = f"sqlite:///{root}/register.db"
        self.db: Database = build_register(self.url)
        self.exports: Exports = export_all(self.db)
        self.work = root / "files"
        self.work.mkdir()


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    register = Register(tmp_path_factory.mktemp("e2e"))
    yield register
    register.db.dispose()


@pytest.fixture(scope="module")
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=1) as executor:
        yield executor


def _import_command(register: Register, path: Path) -> None:
    """``weerbaar import``: an exit code of weerbaar's own, no traceback."""
    before = snapshot(register.db)
    result = CliRunner().invoke(
        app,
        ["import", str(path)],
        env={"WEERBAAR_DB": register.url, "WEERBAAR_USER": "test:fuzz", "COLUMNS": "200"},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.output
    assert result.exit_code == 0 or result.exit_code in _OWN_EXIT_CODES, result.output
    if result.exit_code != 0:
        assert snapshot(register.db) == before, result.output


def _import_service(register: Register, path: Path, fmt: str) -> None:
    """The same use case without the command's start-up, ten times faster."""
    before = snapshot(register.db)
    ctx = Context(db=register.db, actor="test:fuzz")
    try:
        import_register(ctx, doc=formats.read(path, fmt=fmt))
    except WeerbaarError:
        assert snapshot(register.db) == before


@fuzz_settings(50)
@given(
    rng=_randoms,
    fmt=st.sampled_from(["json", "yaml", "xlsx", "graphml"]),
    document=st.one_of(register_docs.json_documents(), register_docs.graphml_files()),
)
def test_register_import(register: Register, rng: random.Random, fmt: str, document: bytes) -> None:
    valid: bytes = getattr(register.exports, fmt)
    files = [*damaged(rng, valid, 2), document]
    if fmt == "xlsx":
        files.append(register_docs.zip_member_damage(rng, valid))
    for number, data in enumerate(files):
        path = register.work / f"import-{number}.{fmt}"
        path.write_bytes(data)
        if number == 0:
            _import_command(register, path)
        else:
            _import_service(register, path, fmt)
    count(f"import {fmt} end to end", len(files))


def _counts(db: Database) -> tuple[int, int, int]:
    state = snapshot(db)
    return int(state["signals"]), int(state["actors"]), int(state["audit_entries"])  # type: ignore[call-overload]


_SIGNAL_FILES = {
    "feed.xml": signal_docs.feeds(),
    "signals.json": signal_docs.json_files(),
    "signals.jsonl": signal_docs.json_lines(),
    "signals.csv": signal_docs.csv_files(),
    "bundle.json": signal_docs.stix_bundles(),
    "misp.json": signal_docs.misp_exports(),
}


@fuzz_settings(50)
@given(
    name_and_document=st.sampled_from(sorted(_SIGNAL_FILES)).flatmap(
        lambda name: st.tuples(st.just(name), _SIGNAL_FILES[name])
    ),
    rng=_randoms,
)
def test_signal_ingest(
    register: Register,
    pool: ThreadPoolExecutor,
    name_and_document: tuple[str, bytes],
    rng: random.Random,
) -> None:
    name, document = name_and_document
    ctx = Context(db=register.db, actor="test:fuzz")
    files = [document, *damaged(rng, document, 2)]
    for data in files:
        path = register.work / name
        path.write_bytes(data)
        before = snapshot(register.db)
        signals, actors, entries = _counts(register.db)
        try:
            report = ingest(ctx, open_inputs([str(path)]), executor=pool, chunk=7)
        except WeerbaarError:
            assert snapshot(register.db) == before
            continue
        after = _counts(register.db)
        created_actors = len(report.actors_created)
        assert after == (
            signals + report.created,
            actors + created_actors,
            entries + report.created + created_actors,
        )
        assert report.read == report.created + report.already_in
    count("ingest end to end", len(files))
