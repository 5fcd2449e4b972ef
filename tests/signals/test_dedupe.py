"""Exact and near duplicates: one event from many sources is one group."""

from __future__ import annotations

import pytest

from weerbaar.signals.dedupe import Deduplicator, Match, fingerprint, jaccard
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


def test_the_window_forgets_the_oldest_texts() -> None:
    dedupe = Deduplicator(window=2)
    texts = [f"Bericht {n}: {' '.join(str(n * k) for k in range(12))}" for n in range(3)]
    for n, text in enumerate(texts):
        assert dedupe.add(f"k{n}", text) is None
    assert dedupe.add("again-2", texts[2]) == Match("again-2", "k2", exact=True)
    assert dedupe.add("again-0", texts[0]) is None  # forgotten: two newer texts came after
    with pytest.raises(ValueError, match="window"):
        Deduplicator(window=0)
