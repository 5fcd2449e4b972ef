"""Register files: JSON and YAML documents, CSV per entity, XLSX with a sheet per
entity, and GraphML for vital infrastructure (vital processes as nodes, dependencies
as edges; a GraphML file holds no other entity). A name ending in ``.stix.json`` is a
STIX 2.1 bundle (:mod:`.stix_bundle`), written only: STIX comes in as signals. Readers return a
:class:`~weerbaar.formats.raw.RawDocument` with each row's place in the file;
writers write atomically (a killed export leaves either the old file or the new one,
never half of one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weerbaar.errors import FileFormatError, said
from weerbaar.formats import csv_files, document
from weerbaar.formats.raw import RawDocument

FORMATS = ("json", "yaml", "csv", "xlsx", "graphml")
GRAPHML_ENTITIES = ("vital_processes", "dependencies")  # what a GraphML file holds
STIX = "stix"  # a STIX 2.1 bundle, export only
STIX_SUFFIX = ".stix.json"


def guess_format(path: Path) -> str:
    if path.name.lower().endswith(STIX_SUFFIX):
        return STIX
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "yml":
        return "yaml"
    if suffix in FORMATS:
        return suffix
    if path.is_dir() or suffix == "":
        return "csv"
    raise FileFormatError(
        said(
            "%(path)s: cannot tell the format from the name; use .json, .yaml, .csv, "
            ".xlsx, .graphml or a folder of CSV files, or say --format",
            path=path,
        )
    )


def read(path: Path, *, fmt: str | None = None, entity: str | None = None) -> RawDocument:
    if not path.exists():
        raise FileFormatError(said("%(path)s: no such file or folder", path=path))
    fmt = fmt or guess_format(path)
    if fmt == STIX:
        raise FileFormatError(
            said(
                "%(path)s: a STIX bundle is not a register file; read it as signals with "
                "weerbaar signals ingest",
                path=path,
            )
        )
    if fmt in ("json", "yaml"):
        return document.read(path, fmt)
    if fmt == "csv":
        return csv_files.read(path, entity=entity)
    if fmt == "xlsx":
        from weerbaar.formats import xlsx_file  # openpyxl is slow to import; only here

        return xlsx_file.read(path)
    if fmt == "graphml":
        from weerbaar.formats import graphml  # networkx takes a while to import

        return graphml.read(path)
    raise FileFormatError(
        said(
            "unknown format %(fmt)s; use one of %(formats)s",
            fmt=repr(fmt),
            formats=", ".join(FORMATS),
        )
    )


def write(path: Path, data: dict[str, Any], *, fmt: str | None = None) -> list[Path]:
    """Write the exported register (for STIX: the bundle); return the files written."""
    fmt = fmt or guess_format(path)
    if fmt == STIX:
        from weerbaar.formats import stix_bundle

        return [stix_bundle.write_bundle(path, data)]
    if fmt in ("json", "yaml"):
        return [document.write(path, data, fmt)]
    if fmt == "csv":
        return csv_files.write(path, data)
    if fmt == "xlsx":
        from weerbaar.formats import xlsx_file

        return [xlsx_file.write(path, data)]
    if fmt == "graphml":
        from weerbaar.formats import graphml

        return [graphml.write(path, data)]
    raise FileFormatError(
        said(
            "unknown format %(fmt)s; use one of %(formats)s",
            fmt=repr(fmt),
            formats=", ".join(FORMATS),
        )
    )
