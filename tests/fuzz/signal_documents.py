"""Inputs for the signal readers, as hypothesis strategies of bytes: feeds, JSON,
JSON Lines, CSV, STIX bundles and MISP exports that are right in syntax and wrong in
everything else (types, shapes, dates, sizes, encodings)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from hypothesis import strategies as st

from tests.fuzz.json_text import json_objects, json_values, nasty_strings, quoted
from weerbaar.signals.readers.tabular import FIELDS

__all__ = ["csv_files", "feeds", "json_files", "json_lines", "misp_exports", "stix_bundles"]

_ENCODINGS = ("utf-8", "windows-1252", "utf-16", "iso-8859-1", "utf-32", "cp037", "utf-7")
_MONTHS = ("Jan", "Feb", "Nov", "Dec", "Foo", "")

_rfc822 = st.builds(
    lambda day, month, year, zone: f"Mon, {day} {month} {year} 10:00:00 {zone}",
    st.integers(-5, 40),
    st.sampled_from(_MONTHS),
    st.one_of(st.integers(1900, 2030), st.integers(-10, 10**25)),
    st.sampled_from(["GMT", "+0100", "-9999", "+99999999999999", "XYZ", ""]),
)
_dates = st.one_of(_rfc822, nasty_strings(), st.dates().map(str))


def _xml_text(raw: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Usually escaped; sometimes raw, which may break the XML on purpose."""
    return st.one_of(raw.map(escape), raw.map(escape), raw)


def _element(tag: str, value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), _xml_text(value).map(lambda text: f"<{tag}>{text}</{tag}>"))


_rss_item = st.builds(
    lambda *parts: "<item>" + "".join(parts) + "</item>",
    _element("title", nasty_strings()),
    _element("description", nasty_strings()),
    _element("pubDate", _dates),
    _element("link", nasty_strings()),
    _element("guid", nasty_strings()),
    _element("category", nasty_strings()),
)
_atom_entry = st.builds(
    lambda *parts: "<entry>" + "".join(parts) + "</entry>",
    _element("title", nasty_strings()),
    _element("summary", nasty_strings()),
    _element("content", nasty_strings()),
    _element("updated", _dates),
    _element("published", _dates),
    _element("id", nasty_strings()),
)


def _encode(text: str, declared: str, actual: str) -> bytes:
    head = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    return (head + text).encode(actual, errors="replace")


def feeds() -> st.SearchStrategy[bytes]:
    rss = st.builds(
        lambda title, language, items: (
            f'<rss version="2.0"><channel>{title}{language}{"".join(items)}</channel></rss>'
        ),
        _element("title", nasty_strings()),
        _element("language", nasty_strings()),
        st.lists(_rss_item, max_size=5),
    )
    atom = st.builds(
        lambda title, updated, entries: (
            f'<feed xmlns="http://www.w3.org/2005/Atom">{title}{updated}{"".join(entries)}</feed>'
        ),
        _element("title", nasty_strings()),
        _element("updated", _dates),
        st.lists(_atom_entry, max_size=5),
    )
    prologue = st.sampled_from(
        [
            "",
            '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x.dtd">',
            '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
            "<!DOCTYPE rss SYSTEM 'file:///etc/passwd'>",
            "<?xml-stylesheet href='x.xsl'?>",
        ]
    )
    return st.builds(
        lambda before, body, declared, actual: _encode(before + body, declared, actual),
        prologue,
        st.one_of(rss, atom),
        st.sampled_from(("", *_ENCODINGS)),
        st.sampled_from(_ENCODINGS),
    )


def _signal_object() -> st.SearchStrategy[str]:
    names = [name for aliases in FIELDS.values() for name in aliases]
    fields = dict.fromkeys(names, nasty_strings().map(quoted))
    fields |= dict.fromkeys(FIELDS["published"], _dates.map(quoted))
    return json_objects(fields, [name.upper() for name in names])


def json_files() -> st.SearchStrategy[bytes]:
    items = st.lists(st.one_of(_signal_object(), _signal_object(), json_values()), max_size=8)
    listed = items.map(lambda objects: "[" + ",".join(objects) + "]")
    wrapped = st.builds(
        lambda key, body: f"{{{quoted(key)}:{body}}}",
        st.sampled_from(["items", "signals", "Items", "data"]),
        listed,
    )
    return st.one_of(listed, wrapped, json_values()).map(str.encode)


def json_lines() -> st.SearchStrategy[bytes]:
    line = st.one_of(_signal_object(), _signal_object(), json_values(), nasty_strings())
    return st.lists(line, max_size=10).map(lambda lines: "\n".join(lines).encode())


def csv_files() -> st.SearchStrategy[bytes]:
    names = [name for aliases in FIELDS.values() for name in aliases]
    header = st.lists(st.one_of(st.sampled_from(names), nasty_strings()), min_size=1, max_size=8)
    cell = st.one_of(nasty_strings(), _dates, st.just('"'), st.just('a"b'), st.just("x\ny"))
    rows = st.lists(st.lists(cell, max_size=10), max_size=8)

    def render(head: list[str], body: list[list[str]], delimiter: str, quote: bool) -> str:
        def line(cells: list[str]) -> str:
            if quote:
                cells = ['"' + c.replace('"', '""') + '"' for c in cells]
            return delimiter.join(cells)

        return "\r\n".join([line(head), *map(line, body)])

    return st.builds(
        lambda text, encoding: text.encode(encoding, errors="replace"),
        st.builds(render, header, rows, st.sampled_from(",;\t|"), st.booleans()),
        st.sampled_from(("utf-8", "utf-8-sig", "windows-1252", "utf-16")),
    )


_STIX_TYPES = (
    "report",
    "campaign",
    "indicator",
    "threat-actor",
    "intrusion-set",
    "identity",
    "relationship",
    "malware",
)
_timestamps = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")), nasty_strings()
)


def _stix_id(kind: str) -> st.SearchStrategy[str]:
    return st.one_of(st.uuids().map(lambda u: f"{kind}--{u}"), nasty_strings())


def _stix_object() -> st.SearchStrategy[str]:
    def build(kind: str) -> st.SearchStrategy[str]:
        refs = st.lists(st.sampled_from(_STIX_TYPES).flatmap(_stix_id), max_size=4)
        text = nasty_strings().map(quoted)
        fields: dict[str, st.SearchStrategy[str]] = {
            "type": st.just(quoted(kind)),
            "id": _stix_id(kind).map(quoted),
            "spec_version": st.sampled_from(['"2.1"', '"2.0"', '"9"', "2.1"]),
            "created": _timestamps.map(quoted),
            "modified": _timestamps.map(quoted),
            "published": _timestamps.map(quoted),
            "valid_from": _timestamps.map(quoted),
            "first_seen": _timestamps.map(quoted),
            "name": text,
            "description": text,
            "lang": text,
            "pattern": text,
            "pattern_type": st.sampled_from(['"stix"', '"sigma"', '"yara"', "1"]),
            "object_refs": refs.map(lambda r: "[" + ",".join(map(quoted, r)) + "]"),
            "aliases": st.lists(nasty_strings()).map(
                lambda r: "[" + ",".join(map(quoted, r)) + "]"
            ),
            "labels": st.lists(nasty_strings()).map(lambda r: "[" + ",".join(map(quoted, r)) + "]"),
            "threat_actor_types": st.just('["nation-state"]'),
            "sophistication": st.sampled_from(['"government"', '"none"', "5"]),
            "resource_level": st.sampled_from(['"government"', '"club"', "[]"]),
            "relationship_type": st.sampled_from(['"attributed-to"', '"uses"', '"x"']),
            "source_ref": st.sampled_from(_STIX_TYPES).flatmap(_stix_id).map(quoted),
            "target_ref": st.sampled_from(_STIX_TYPES).flatmap(_stix_id).map(quoted),
            "created_by_ref": _stix_id("identity").map(quoted),
            "external_references": st.lists(
                json_values(st.sampled_from(["url", "source_name"]))
            ).map(lambda r: "[" + ",".join(r) + "]"),
        }
        required = ("type", "id", "spec_version", "created", "modified")
        return st.tuples(
            st.tuples(*(fields[name] for name in required)),
            json_objects(fields, ["x_custom", "extensions"]),
        ).map(
            lambda parts: (
                "{"
                + ",".join(f"{quoted(k)}:{v}" for k, v in zip(required, parts[0], strict=True))
                + ("," + parts[1][1:] if parts[1] != "{}" else "}")
            )
        )

    return st.one_of(st.sampled_from(_STIX_TYPES), nasty_strings()).flatmap(build)


def stix_bundles() -> st.SearchStrategy[bytes]:
    objects = st.lists(st.one_of(_stix_object(), _stix_object(), json_values()), max_size=8)
    bundle = st.builds(
        lambda bundle_id, created, body: (
            f'{{"type":"bundle","id":{quoted(bundle_id)},"created":{quoted(created)},'
            f'"objects":[{",".join(body)}]}}'
        ),
        _stix_id("bundle"),
        _timestamps,
        objects,
    )
    return st.one_of(bundle, bundle, _stix_object()).map(str.encode)


def _misp_event() -> st.SearchStrategy[str]:
    text = nasty_strings().map(quoted)

    def listed(item: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(item, max_size=3).map(lambda r: "[" + ",".join(r) + "]"), item, json_values()
        )

    attribute = json_objects(
        {
            "type": st.sampled_from(['"text"', '"link"', '"comment"', '"ip-dst"', "3"]),
            "value": text,
            "comment": text,
        }
    )
    cluster = json_objects(
        {
            "type": st.sampled_from(['"threat-actor"', '"tool"']),
            "uuid": st.uuids().map(lambda u: quoted(str(u))) | text,
            "value": text,
            "description": text,
            "meta": json_values(
                st.sampled_from(["synonyms", "country", "cfr-suspected-state-sponsor"])
            ),
        }
    )
    galaxy = json_objects({"type": st.just('"threat-actor"'), "GalaxyCluster": listed(cluster)})
    return json_objects(
        {
            "info": text,
            "date": _dates.map(quoted),
            "timestamp": st.one_of(
                st.integers(-(10**20), 10**20).map(str),
                st.integers(0, 10**20).map(lambda n: quoted(str(n))),
                text,
            ),
            "publish_timestamp": st.integers(-(10**6), 10**12).map(str),
            "uuid": st.uuids().map(lambda u: quoted(str(u))) | text,
            "Attribute": listed(attribute),
            "Object": listed(json_objects({"Attribute": listed(attribute)})),
            "Tag": listed(json_objects({"name": text})),
            "Galaxy": listed(galaxy),
            "Orgc": json_objects({"name": text}),
        }
    )


def misp_exports() -> st.SearchStrategy[bytes]:
    event = _misp_event()
    wrapped = event.map(lambda e: f'{{"Event":{e}}}')
    many = st.lists(st.one_of(wrapped, event, json_values()), max_size=5).map(
        lambda r: "[" + ",".join(r) + "]"
    )
    response = many.map(lambda r: f'{{"response":{r}}}')
    return st.one_of(wrapped, many, response).map(str.encode)
