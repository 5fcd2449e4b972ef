"""Register files as hypothesis strategies: documents right in syntax and wrong in
shape for JSON, YAML, CSV folders, XLSX workbooks and GraphML graphs."""

from __future__ import annotations

import io
import random
import zipfile
from xml.sax.saxutils import escape, quoteattr

from hypothesis import strategies as st

from tests.fuzz.json_text import NASTY_STRINGS, json_objects, json_values, nasty_strings, quoted
from tests.fuzz.mutations import mutate
from weerbaar.domain.register import ENTITIES

__all__ = [
    "csv_folders",
    "graphml_files",
    "json_documents",
    "yaml_documents",
    "zip_member_damage",
]

_ENTITY_NAMES = [spec.name for spec in ENTITIES]


def _rows(spec_name: str) -> st.SearchStrategy[str]:
    spec = next(s for s in ENTITIES if s.name == spec_name)
    values = st.one_of(nasty_strings().map(quoted), json_values())
    return json_objects(dict.fromkeys(spec.field_names, values), ["version", "id"])


def json_documents() -> st.SearchStrategy[bytes]:
    section = st.sampled_from(_ENTITY_NAMES).flatmap(
        lambda name: st.tuples(
            st.just(name),
            st.one_of(
                st.lists(_rows(name), max_size=4).map(lambda r: "[" + ",".join(r) + "]"),
                json_values(),
            ),
        )
    )
    header = st.lists(
        st.tuples(
            st.sampled_from(["format", "format_version"]),
            st.sampled_from(['"weerbaar-register"', "1", "2", '"1"', "null", "9" * 5000]),
        ),
        max_size=3,
    )
    return st.builds(
        lambda head, body: "{" + ",".join(f"{quoted(k)}:{v}" for k, v in head + body) + "}",
        header,
        st.lists(section, max_size=4),
    ).map(str.encode) | json_values().map(str.encode)


_YAML_SCALARS = (
    "~",
    ".nan",
    "-.inf",
    "0x1F",
    "0o17",
    "1_000",
    "2026-13-45",
    "2001-12-14t21:59:43.10-05:00",
    "!!timestamp 99999-01-01",
    "!!binary aGVsbG8=",
    "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system",
    "!!str 5",
    "!!int 99999999999999999999999999999999",
    "'=1+1'",
    '"\\x00"',
    '"\\uD800"',
    "9" * 5000,
    "*undefined",
    "&a [*a]",
    "{a: [b, {c: d}]}",
    "? complex",
    "|\n    block",
    "yes",
    "off",
)
_LAUGHS = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))


def yaml_documents() -> st.SearchStrategy[bytes]:
    scalar = st.one_of(
        st.sampled_from(_YAML_SCALARS),
        nasty_strings().map(quoted),
        st.sampled_from(NASTY_STRINGS).map(lambda s: s.replace("\n", " ")),
    )

    def section(name: str) -> st.SearchStrategy[str]:
        spec = next(s for s in ENTITIES if s.name == name)
        row = st.lists(st.tuples(st.sampled_from(spec.field_names), scalar), max_size=6).map(
            lambda pairs: (
                "  - " + "\n    ".join(f"{k}: {v}" for k, v in pairs) if pairs else "  - {}"
            )
        )
        return st.lists(row, max_size=3).map(lambda rows: f"{name}:\n" + "\n".join(rows))

    body = st.lists(st.sampled_from(_ENTITY_NAMES).flatmap(section), max_size=4).map("\n".join)
    prologue = st.sampled_from(
        [
            "format: weerbaar-register\nformat_version: 1\n",
            "format: weerbaar-register\nformat_version: 99999999999999999999999\n",
            "l0: &l0 [lol]\n" + _LAUGHS + "scenarios: *l8\n",
            "base: &base {key: x}\nthemes:\n  - <<: *base\n",
            "a: &a [*a]\n",
            "[" * 5000 + "]" * 5000 + "\n",
            "--- !!python/object:weerbaar.domain.register.EntitySpec {}\n",
            "",
        ]
    )
    json_doc = json_documents()
    return st.one_of(
        st.builds(
            lambda head, rest: (head + rest).encode("utf-8", "surrogatepass"), prologue, body
        ),
        json_doc,
    )


def csv_folders() -> st.SearchStrategy[dict[str, bytes]]:
    def table(name: str) -> st.SearchStrategy[tuple[str, bytes]]:
        spec = next(s for s in ENTITIES if s.name == name)
        header = st.lists(
            st.one_of(st.sampled_from(spec.field_names), nasty_strings()), min_size=1, max_size=8
        )
        cell = st.one_of(nasty_strings(), st.just('"'), st.just("x\ny"), st.just("=SUM(A1)"))
        rows = st.lists(st.lists(cell, max_size=9), max_size=5)

        def render(head: list[str], body: list[list[str]], encoding: str) -> tuple[str, bytes]:
            lines = [",".join('"' + c.replace('"', '""') + '"' for c in r) for r in [head, *body]]
            return f"{name}.csv", "\r\n".join(lines).encode(encoding, errors="replace")

        return st.builds(
            render, header, rows, st.sampled_from(("utf-8", "utf-8-sig", "windows-1252", "utf-16"))
        )

    return st.lists(st.sampled_from(_ENTITY_NAMES).flatmap(table), min_size=1, max_size=3).map(dict)


def graphml_files() -> st.SearchStrategy[bytes]:
    names = ["key", "name", "sector", "category", "people_served", "supplier", "kind", "strength"]
    key = st.builds(
        lambda n, name, kind, target: (
            f'<key id="d{n}" for={quoteattr(target)} attr.name={quoteattr(name)} '
            f"attr.type={quoteattr(kind)}/>"
        ),
        st.integers(0, 9),
        st.one_of(st.sampled_from(names), nasty_strings()),
        st.sampled_from(["string", "double", "int", "long", "boolean", "float", "x"]),
        st.sampled_from(["node", "edge", "graph", "all"]),
    )
    data = st.builds(
        lambda n, value: f'<data key="d{n}">{escape(value)}</data>',
        st.integers(0, 12),
        st.one_of(nasty_strings(), st.sampled_from(["1e308", "-1", "NaN", "inf", "9" * 5000])),
    )
    node = st.builds(
        lambda node_id, items: f"<node id={quoteattr(node_id)}>{''.join(items)}</node>",
        st.one_of(st.sampled_from(["grid", "water", ""]), nasty_strings()),
        st.lists(data, max_size=5),
    )
    edge = st.builds(
        lambda source, target, items: (
            f"<edge source={quoteattr(source)} target={quoteattr(target)}>{''.join(items)}</edge>"
        ),
        st.sampled_from(["grid", "water", "nowhere", ""]),
        st.sampled_from(["grid", "water", "nowhere", ""]),
        st.lists(data, max_size=5),
    )
    prologue = st.sampled_from(
        [
            "",
            '<!DOCTYPE graphml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
            "<!DOCTYPE graphml SYSTEM 'file:///etc/passwd'>",
        ]
    )
    return st.builds(
        lambda before, keys, directed, nodes, edges: (
            f'<?xml version="1.0" encoding="utf-8"?>{before}'
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            f"{''.join(keys)}<graph edgedefault={quoteattr(directed)}>"
            f"{''.join(nodes)}{''.join(edges)}</graph></graphml>"
        ).encode("utf-8", "surrogatepass"),
        prologue,
        st.lists(key, max_size=8),
        st.sampled_from(["directed", "undirected", "x"]),
        st.lists(node, max_size=5),
        st.lists(edge, max_size=5),
    )


def zip_member_damage(rng: random.Random, archive: bytes) -> bytes:
    """The workbook with one member damaged, replaced or added, and zipped again: a
    valid archive with invalid content (byte damage mostly breaks the archive)."""
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    names = sorted(members)
    choice = rng.randrange(4)
    if choice == 0:
        name = rng.choice(names)
        members[name] = mutate(rng, members[name])
    elif choice == 1:
        name = rng.choice(names)
        members[name] = rng.choice(
            [
                b"",
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
                b"[" * 5000,
                b"<worksheet>" * 3000,
                bytes(rng.randrange(256) for _ in range(200)),
            ]
        )
    elif choice == 2:
        del members[rng.choice(names)]
    else:
        members[f"xl/worksheets/sheet{rng.randint(1, 99)}.xml"] = b"<worksheet/>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)
    return out.getvalue()
