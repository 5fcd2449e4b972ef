"""JSON text as hypothesis strategies: well-formed in syntax but wrong in shape, with
the values that break parsers (deep nesting, numbers of thousands of digits, NaN,
duplicate keys, control characters, formula strings, dates that are no dates).

Text is built directly rather than through ``json.dumps``, which can write neither a
duplicate key nor a 5,000-digit number literal."""

from __future__ import annotations

import json
from collections.abc import Sequence

from hypothesis import strategies as st

__all__ = ["NASTY_STRINGS", "json_objects", "json_values", "nasty_strings", "quoted"]

NASTY_STRINGS: tuple[str, ...] = (
    "",
    " ",
    "=1+1",
    '=HYPERLINK("http://example.org","klik")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "2026-11-02",
    "2026-11-02T10:00:00Z",
    "29-11-2026",
    "31/02/2026",
    "Mon, 20 Nov 99999999999999999999 10:00:00 +0000",
    "Mon, 20 Nov 2026 10:00:00 +99999999999999",
    "9999-12-31",
    "0001-01-01",
    "1e99999",
    "NaN",
    "-Infinity",
    "true",
    "null",
    "\x00",
    "a\x00b",
    "\u202eevil",
    "\ufeff",
    "\ud7ff\ue000",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "&lt;&#0;&#x110000;",
    "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "threat-actor--56f3f0db-b5d5-431c-ae56-c18f02caf500",
    "[ipv4-addr:value = '198.51.100.1']",
    "²",
    "٣٤٥",
)
HUGE_STRINGS: tuple[str, ...] = (
    "https://example.org/" + "a" * 3000,
    "x" * 70_000,
    "é" * 5000,
    "(" * 300 + "[a:b = 1]" + ")" * 300,
    "1" * 5000,
)


def nasty_strings() -> st.SearchStrategy[str]:
    """Mostly short: a document holds many, and the huge ones matter once each."""
    short = st.sampled_from(NASTY_STRINGS)
    return st.one_of(short, short, short, st.text(max_size=20), st.sampled_from(HUGE_STRINGS))


def quoted(text: str) -> str:
    return json.dumps(text)


_NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: json.dumps(f)),
    st.sampled_from([90, 101, 4301, 6000]).map(lambda n: "9" * n),
    st.sampled_from([99, 150]).map(lambda n: "-0." + "1" * n + "e-5"),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e99999", "-0", "1E400", "0e0"]),
)

_SCALARS = st.one_of(
    st.sampled_from(["null", "true", "false"]),
    _NUMBERS,
    nasty_strings().map(quoted),
)


def _deep(inner: str, depth: int, brackets: str) -> str:
    if brackets == "[":
        return "[" * depth + inner + "]" * depth
    return '{"a":' * depth + inner + "}" * depth


def json_values(keys: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Any JSON value as text; object keys from ``keys`` (repeats are kept)."""
    key_text = (nasty_strings() if keys is None else keys).map(quoted)

    def grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
            st.lists(st.tuples(key_text, children), max_size=5).map(
                lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"
            ),
        )

    plain = st.recursive(_SCALARS, grow, max_leaves=8)
    deep = st.builds(
        _deep, _SCALARS, st.sampled_from([63, 64, 65, 1000, 5000]), st.sampled_from("[{")
    )
    return st.one_of(plain, plain, plain, plain, plain, plain, plain, plain, plain, deep)


def json_objects(
    fields: dict[str, st.SearchStrategy[str]],
    other_keys: Sequence[str] = (),
) -> st.SearchStrategy[str]:
    """An object with some of ``fields`` (each value's text from its strategy), some
    unknown keys, any key possibly twice, in any order."""
    names = sorted(fields)
    known = st.sampled_from(names).flatmap(
        lambda name: st.tuples(st.just(name), st.one_of(fields[name], json_values()))
    )
    unknown = st.tuples(
        st.sampled_from([*other_keys, "x_unknown", ""]) | nasty_strings(), json_values()
    )
    return st.lists(st.one_of(known, known, unknown), max_size=8).map(
        lambda pairs: "{" + ",".join(f"{quoted(k)}:{v}" for k, v in pairs) + "}"
    )
