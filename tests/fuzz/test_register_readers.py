"""The register formats on generated input, read as ``weerbaar import`` reads them and
each row parsed as it would be checked: a file is read into rows with their places
or refused with one of weerbaar's own errors, and nothing else ever comes out."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import register_documents as docs
from tests.fuzz.budget import count, fuzz_settings
from tests.fuzz.mutations import damaged
from tests.fuzz.register_seed import Exports, build_register, export_all
from weerbaar import formats
from weerbaar.domain.register import entity
from weerbaar.domain.validation import parse_row
from weerbaar.errors import WeerbaarError

DAMAGED_COPIES = 4
_randoms = st.integers(min_value=0, max_value=2**32 - 1).map(random.Random)


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    db = build_register(f"sqlite:///{tmp_path_factory.mktemp('seed')}/register.db")
    try:
        return export_all(db)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _read_and_parse(path: Path, fmt: str) -> None:
    """Read as the import does; parse each readable row. Only weerbaar's errors may
    come out (FileFormatError for a file, ValidationError for a refused document)."""
    try:
        document = formats.read(path, fmt=fmt)
    except WeerbaarError:
        return
    for name, rows in document.rows.items():
        spec = entity(name)
        for row in rows:
            assert row.place, row
            if row.problem is None:
                parse_row(spec, dict(row.values), row.place)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _fuzz_file(work: Path, fmt: str, document: bytes, rng: random.Random) -> None:
    files = [document, *damaged(rng, document, DAMAGED_COPIES)]
    for data in files:
        _read_and_parse(_write(work / f"register.{fmt}", data), fmt)
    count(f"register {fmt}", len(files))


@fuzz_settings(100)
@given(document=docs.json_documents(), rng=_randoms)
def test_json(work: Path, document: bytes, rng: random.Random) -> None:
    _fuzz_file(work, "json", document, rng)


@fuzz_settings(60)  # PyYAML's safe loader is pure Python: fewer, not smaller
@given(document=docs.yaml_documents(), rng=_randoms)
def test_yaml(work: Path, document: bytes, rng: random.Random) -> None:
    _fuzz_file(work, "yaml", document, rng)


@fuzz_settings(100)
@given(document=docs.graphml_files(), rng=_randoms)
def test_graphml(work: Path, document: bytes, rng: random.Random) -> None:
    _fuzz_file(work, "graphml", document, rng)


@fuzz_settings(60)
@given(rng=_randoms)
def test_valid_exports_damaged(work: Path, exports: Exports, rng: random.Random) -> None:
    """The valid export of every single-file format, damaged; a workbook also with
    one member damaged inside a sound archive."""
    for fmt in ("json", "yaml", "graphml", "xlsx"):
        valid: bytes = getattr(exports, fmt)
        files = damaged(rng, valid, 2)
        if fmt == "xlsx":
            files += [docs.zip_member_damage(rng, valid) for _ in range(3)]
        for data in files:
            _read_and_parse(_write(work / f"register.{fmt}", data), fmt)
        count(f"register {fmt}", len(files))


@fuzz_settings(100)
@given(folder=docs.csv_folders(), rng=_randoms)
def test_csv_folders(
    work: Path, exports: Exports, folder: dict[str, bytes], rng: random.Random
) -> None:
    target = work / "csv"
    for files in (folder, {**exports.csv, **folder}, _damaged_folder(rng, exports.csv)):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        for name, data in files.items():
            (target / name).write_bytes(data)
        _read_and_parse(target, "csv")
        count("register csv folder")


def _damaged_folder(rng: random.Random, valid: dict[str, bytes]) -> dict[str, bytes]:
    name = rng.choice(sorted(valid))
    return {**valid, name: damaged(rng, valid[name], 1)[0]}


@fuzz_settings(700)
@given(
    data=st.binary(max_size=2048),
    fmt=st.sampled_from(["json", "yaml", "xlsx", "graphml", "csv"]),
)
def test_random_bytes(work: Path, data: bytes, fmt: str) -> None:
    path = work / f"random.{fmt}"
    _read_and_parse(_write(path, data), fmt)
    count("register random bytes")
