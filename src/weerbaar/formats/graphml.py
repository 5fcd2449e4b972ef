"""Vital infrastructure as a GraphML file: a directed graph of vital processes and
their dependencies (see docs/register-format.md).

Only two entities go in: each vital process is a node (its key the node id, its other
fields node attributes) and each dependency an edge from the supplier to the
dependent (its other fields edge attributes). Every other entity of an export is left
out of a GraphML file, so it is no backup of the register.

Reading takes GraphML from other tools too (yEd, Gephi, networkx): whatever attributes
a node or an edge carries pass as they are, and the import's validation says what is
missing or unknown. A file with a document type declaration (``<!DOCTYPE``,
``<!ENTITY``) is refused before it is parsed, so a crafted file cannot expand entities
or reach out of the machine.
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import networkx as nx

from weerbaar.domain.fields import LIST_SEPARATOR
from weerbaar.errors import FileFormatError, said
from weerbaar.formats import GRAPHML_ENTITIES
from weerbaar.formats.atomic import atomic_file
from weerbaar.formats.common import read_bytes
from weerbaar.formats.raw import FORMAT, FORMAT_VERSION, RawDocument, RawRow

NODES, EDGES = GRAPHML_ENTITIES

_EDGE_ENDS = ("supplier", "dependent")
_NOT_ON_EDGES = {"key", *_EDGE_ENDS}
_FORBIDDEN = (b"<!doctype", b"<!entity")
_DECLARED_ENCODING = re.compile(
    rb"""<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']"""
)


# ---------------------------------------------------------------- writing


def _attribute(value: object) -> str | float | None:
    """A field value as a GraphML attribute: numbers as doubles, lists of keys joined
    by ``;`` as in CSV, everything else (text, enumeration values) as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(map(str, value)) if value else None
    return str(value)


def _attributes(record: Mapping[str, Any], leave_out: set[str]) -> dict[str, str | float]:
    out: dict[str, str | float] = {}
    for name, value in record.items():
        if name in leave_out:
            continue
        converted = _attribute(value)
        if converted is not None:
            out[name] = converted
    return out


def to_graph(data: Mapping[str, Any]) -> nx.DiGraph[str]:
    """The vital processes and dependencies of an export as a directed graph, nodes and
    edges in key order."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.graph.update({"format": FORMAT, "format_version": FORMAT_VERSION})
    for record in sorted(data.get(NODES, []), key=lambda r: str(r["key"])):
        graph.add_node(str(record["key"]), **_attributes(record, {"key"}))
    for record in sorted(data.get(EDGES, []), key=lambda r: str(r["key"])):
        graph.add_edge(
            str(record["supplier"]),
            str(record["dependent"]),
            **_attributes(record, _NOT_ON_EDGES),
        )
    return graph


def write(path: Path, data: Mapping[str, Any]) -> Path:
    """Write the vital processes and dependencies of an export; other entities are left
    out."""
    graph = to_graph(data)
    with atomic_file(path, "wb") as handle:
        nx.write_graphml(graph, handle, encoding="utf-8", prettyprint=True)
    return path


# ---------------------------------------------------------------- reading


def _text(data: bytes, name: str) -> str:
    """The file as text, decoded as the XML parser will decode it, so that what is
    checked is what gets parsed."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        raise FileFormatError(said("%(name)s: UTF-16 or UTF-32; save it as UTF-8", name=name))
    if b"\x00" in data:
        raise FileFormatError(
            said("%(name)s: holds NUL bytes; not a GraphML (XML) text file", name=name)
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    declared = _DECLARED_ENCODING.match(data.lstrip()[:200])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise FileFormatError(
            said("%(name)s: unknown encoding %(encoding)s", name=name, encoding=repr(encoding))
        ) from None
    try:
        return data.decode(codec.name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        values = {
            "name": name,
            "line": line,
            "column": column,
            "encoding": encoding,
            "byte": format(data[exc.start], "02x"),
        }
        raise FileFormatError(
            said(
                "%(name)s line %(line)s column %(column)s: not %(encoding)s (byte 0x%(byte)s); "
                "save it as UTF-8",
                **values,
            )
            if declared
            else said(
                "%(name)s line %(line)s column %(column)s: not %(encoding)s (byte 0x%(byte)s); "
                "save it as UTF-8 or declare its encoding in the <?xml … ?> line",
                **values,
            )
        ) from None


def _check_safe(data: bytes, name: str) -> None:
    """Refuse a document type declaration, in the raw bytes and in the text as the
    declared encoding reads them."""
    text = _text(data, name)
    if not text.strip():
        raise FileFormatError(
            said("%(name)s: the file is empty (expected a GraphML document)", name=name)
        )
    raw, lowered = data.lower(), text.lower()
    if any(marker in raw or marker.decode() in lowered for marker in _FORBIDDEN):
        raise FileFormatError(
            said(
                "%(name)s: holds a document type declaration (<!DOCTYPE or <!ENTITY); "
                "GraphML does not need one and weerbaar refuses them",
                name=name,
            )
        )


def _parse(data: bytes, name: str) -> nx.Graph[Any]:
    try:
        with warnings.catch_warnings():
            # "No key type … Using string", "port tag not supported": nothing to act on.
            warnings.simplefilter("ignore")
            return nx.read_graphml(io.BytesIO(data), force_multigraph=False)
    except ParseError as exc:
        raise FileFormatError(
            said("%(name)s: not valid XML: %(error)s", name=name, error=exc)
        ) from exc
    except nx.NetworkXError as exc:
        raise FileFormatError(
            said("%(name)s: not valid GraphML: %(error)s", name=name, error=exc)
        ) from exc
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        # A key with an unknown attr.type, a value its attr.type cannot hold.
        raise FileFormatError(
            said("%(name)s: not valid GraphML: %(error)s", name=name, error=repr(exc))
        ) from exc


def _check_shape(graph: nx.Graph[Any], name: str) -> None:
    if not graph.is_directed():
        raise FileFormatError(
            said(
                "%(name)s: an undirected graph; dependencies need a direction "
                '(edgedefault="directed", from supplier to dependent)',
                name=name,
            )
        )
    if graph.is_multigraph():
        for u, v in graph.edges():
            if graph.number_of_edges(u, v) > 1:
                raise FileFormatError(
                    said(
                        "%(name)s: more than one edge from %(u)s to %(v)s; a dependency is one "
                        "edge from the supplier to the dependent",
                        name=name,
                        u=repr(u),
                        v=repr(v),
                    )
                )
    if graph.graph.get("format") == FORMAT:
        version = graph.graph.get("format_version")
        if version != FORMAT_VERSION:
            raise FileFormatError(
                said(
                    "%(name)s: format_version %(version)s is not supported (this weerbaar "
                    "reads version %(supported)s)",
                    name=name,
                    version=repr(version),
                    supported=FORMAT_VERSION,
                )
            )


def _with_defaults(values: Mapping[str, Any], defaults: object) -> dict[str, Any]:
    """An element's attributes, with the defaults its GraphML keys declare for the
    ones it leaves out."""
    out = dict(defaults) if isinstance(defaults, Mapping) else {}
    out.update(values)
    return out


def _node_row(name: str, node: str, attributes: dict[str, Any]) -> RawRow:
    place = f"{name} node {node!r}"
    given = attributes.pop("key", node)
    if given != node:
        return RawRow(place, {}, f"attribute 'key' {given!r} is not the node id {node!r}")
    return RawRow(place, {"key": node, **attributes})


def _edge_row(name: str, u: str, v: str, attributes: dict[str, Any]) -> RawRow:
    place = f"{name} edge {u!r} -> {v!r}"
    attributes.pop("key", None)  # a dependency's key is derived from its ends
    attributes.pop("id", None)  # the GraphML edge id, not a field
    for field, end in zip(_EDGE_ENDS, (u, v), strict=True):
        given = attributes.pop(field, end)
        if given != end:
            return RawRow(place, {}, f"attribute {field!r} {given!r} is not the edge's end {end!r}")
    return RawRow(place, {"supplier": u, "dependent": v, **attributes})


def read(path: Path) -> RawDocument:
    """Every node as a vital process and every edge as a dependency, each with its
    place (``register.graphml node 'vp-water'``) for the import's messages."""
    name = path.name
    data = read_bytes(path)
    _check_safe(data, name)
    graph = _parse(data, name)
    _check_shape(graph, name)
    node_defaults = graph.graph.get("node_default")
    edge_defaults = graph.graph.get("edge_default")
    doc = RawDocument()
    doc.rows[NODES] = [
        _node_row(name, str(node), _with_defaults(values, node_defaults))
        for node, values in graph.nodes(data=True)
    ]
    doc.rows[EDGES] = [
        _edge_row(name, str(u), str(v), _with_defaults(values, edge_defaults))
        for u, v, values in graph.edges(data=True)
    ]
    return doc
