"""Exact and near duplicates: one event from many sources is one group."""

from __future__ import annotations

import html
import re
import unicodedata
from collections import OrderedDict

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

from weerbaar.reference.signals import labelled_signals
from weerbaar.signals.dedupe import (
    NUM_PERM,
    SEED,
    THRESHOLD,
    Deduplicator,
    Match,
    fingerprint,
    jaccard,
    shingle_hashes,
)
from weerbaar.signals.text import clean, normalise

EVENT = (
    "Ransomware-aanval legt drinkwaterbedrijf in Utrecht plat; "
    "klanten krijgen voorlopig geen facturen"
)


def test_exact_duplicates_ignore_case_markup_and_typography() -> None:
    variants = [
        EVENT,
        EVENT.upper(),
        f"<p>{EVENT}</p>",
        EVENT.replace(" ", "\u00a0 "),
        EVENT.replace("drinkwater", "drink\u00adwater"),
    ]
    assert len({fingerprint(v) for v in variants}) == 1
    dedupe = Deduplicator()
    assert dedupe.add("a", variants[0]) is None
    assert [dedupe.add(str(i), v) for i, v in enumerate(variants[1:])] == [
        Match(str(i), "a", exact=True) for i in range(4)
    ]


def test_a_reworded_report_joins_the_first_one() -> None:
    dedupe = Deduplicator()
    assert dedupe.add("nos", EVENT) is None
    reworded = (
        "Ransomware-aanval legt drinkwaterbedrijf Utrecht plat: "
        "klanten krijgen voorlopig geen facturen (ANP)"
    )
    assert jaccard(EVENT, reworded) > 0.6
    assert dedupe.add("anp", reworded) == Match("anp", "nos", exact=False)
    other = "Storm Ciara veroorzaakt stroomstoringen in Zeeland; netbeheerder herstelt verbindingen"
    assert dedupe.add("storm", other) is None
    # A repeat of a repeat still points at the first of the group.
    again = reworded + " bron"
    match = dedupe.add("bron", again)
    assert match is not None and match.of == "nos"
    assert len(dedupe) == 4


def test_the_result_does_not_depend_on_the_process() -> None:
    one, two = Deduplicator(), Deduplicator()
    assert one.signature(EVENT).hashvalues.tolist() == two.signature(EVENT).hashvalues.tolist()


def test_short_and_empty_texts() -> None:
    dedupe = Deduplicator()
    assert dedupe.add("e1", "") is None
    assert dedupe.add("e2", "  ") == Match("e2", "e1", exact=True)
    assert dedupe.add("x", "ab") is None
    with pytest.raises(ValueError, match="threshold"):
        Deduplicator(threshold=0)


def test_cleaning_bounds_and_strips() -> None:
    assert clean("<b>Dijk</b> &amp; <i>water</i>\x00\x07") == "Dijk & water"
    assert len(clean("x" * 1_000_000)) == 4000
    assert normalise("“Quoted” ‘Text’") == "\"quoted\" 'text'"


def _every_pass(text: str, limit: int) -> str:
    """clean() without its shortcut for texts that need no work."""
    plain = html.unescape(re.sub(r"<[^>]{0,2000}>", " ", text[: limit * 4]))
    plain = unicodedata.normalize("NFKC", plain)
    plain = plain.translate(dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff")))
    plain = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", plain)
    return re.sub(r"\s+", " ", plain).strip()[:limit]


TRICKY = " \t\n\x00\x1f\x85\xa0\u00ad\u200b\u2028\u3000\ufeff<>&;ﬁé́Ⅸ①ｶ"


@given(
    st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters()), max_size=60),
    st.sampled_from([3, 10, 4000]),
)
def test_cleaning_is_the_same_with_or_without_the_shortcut(text: str, limit: int) -> None:
    assert clean(text, limit) == _every_pass(text, limit)
    assert clean(f"  {text}  tekst", limit) == _every_pass(f"  {text}  tekst", limit)


def test_the_window_forgets_the_oldest_texts() -> None:
    dedupe = Deduplicator(window=2)
    texts = [f"Bericht {n}: {' '.join(str(n * k) for k in range(12))}" for n in range(3)]
    for n, text in enumerate(texts):
        assert dedupe.add(f"k{n}", text) is None
    assert dedupe.add("again-2", texts[2]) == Match("again-2", "k2", exact=True)
    assert dedupe.add("again-0", texts[0]) is None  # forgotten: two newer texts came after
    with pytest.raises(ValueError, match="window"):
        Deduplicator(window=0)


def _stream(count: int, seed: int) -> list[str]:
    """Reports as the bench makes them: texts joined with a clause of another, a
    third of them an earlier one again, some with a tag line."""
    rng = np.random.default_rng(seed)
    texts = [e.text for e in labelled_signals()["train"]]
    out: list[str] = []
    for _ in range(count):
        if out and rng.random() < 0.3:
            out.append(out[-1 - int(rng.integers(min(len(out), 200)))] + " (ANP)")
        else:
            a, b = rng.integers(len(texts), size=2)
            out.append(f"{texts[a]}; {texts[b].split('.')[0][:80]}")
    return [*out, "", "a", "ab", "abcd", "é"]


def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=lambda v: v)


def test_signatures_are_datasketchs_minhash_values() -> None:
    texts = [normalise(t) for t in _stream(300, seed=2)]
    rows = Deduplicator().signatures(texts)
    for text, row in zip(texts, rows, strict=True):
        reference = _template()
        reference.update_batch(shingle_hashes(text).tolist())
        assert row.tolist() == reference.hashvalues.tolist(), text


@pytest.mark.parametrize("window", [20_000, 150])
def test_repeats_are_found_as_datasketchs_lsh_finds_them(window: int) -> None:
    """The reference: datasketch's index, queried for candidates, the earliest
    remembered one taken, the oldest forgotten beyond the window."""
    texts = _stream(1500, seed=3)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    kept: OrderedDict[str, tuple[str, int, str]] = OrderedDict()
    exact: dict[str, str] = {}
    expected: list[Match | None] = []
    for i, text in enumerate(texts):
        key, digest = f"k{i}", fingerprint(text)
        if digest in exact:
            expected.append(Match(key, kept[exact[digest]][2], exact=True))
            continue
        minhash = _template()
        minhash.update_batch(shingle_hashes(normalise(text)).tolist())
        found = [kept[k] for k in lsh.query(minhash)]
        first = min(found, key=lambda k: k[1], default=None)
        group = key if first is None else first[2]
        lsh.insert(key, minhash)
        kept[key], exact[digest] = (digest, i, group), key
        if len(kept) > window:
            old, (old_digest, _, _) = kept.popitem(last=False)
            lsh.remove(old)
            if exact.get(old_digest) == old:
                del exact[old_digest]
        expected.append(None if first is None else Match(key, group, exact=False))
    dedupe = Deduplicator(window=window)
    assert [dedupe.add(f"k{i}", text) for i, text in enumerate(texts)] == expected
    assert sum(m is not None and not m.exact for m in expected) > 50


def test_a_key_is_added_once() -> None:
    dedupe = Deduplicator()
    dedupe.add("a", EVENT)
    with pytest.raises(ValueError, match="added already"):
        dedupe.add("a", "another text entirely")
