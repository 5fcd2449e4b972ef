"""The default theme classifier on the shipped labelled set: macro-F1 per language
on the held-out texts, printed for the record, and the behaviours around it."""

from __future__ import annotations

import pytest

from tests.helpers import REPORTED
from weerbaar.reference.signals import classifier_settings, labelled_signals
from weerbaar.signals.classify import ThemeClassifier, macro_f1
from weerbaar.signals.settings import Labelled


@pytest.fixture(scope="module")
def model() -> ThemeClassifier:
    return ThemeClassifier.train(labelled_signals()["train"], classifier_settings())


def test_the_labelled_set_is_complete() -> None:
    data = labelled_signals()
    themes = {e.theme for e in data["train"]}
    assert len(themes) == 13
    for split, per_language in (("train", 55), ("heldout", 20)):
        for theme in themes:
            for language in ("nl", "en"):
                rows = [e for e in data[split] if (e.theme, e.language) == (theme, language)]
                assert len(rows) >= per_language, (split, theme, language)
    train_texts = {e.text.casefold() for e in data["train"]}
    assert not any(e.text.casefold() in train_texts for e in data["heldout"])


def test_macro_f1_on_the_held_out_texts(model: ThemeClassifier) -> None:
    scores = macro_f1(model, labelled_signals()["heldout"])
    REPORTED.append(
        f"theme classifier, held-out macro-F1 over {len(model.themes)} themes: "
        f"nl {scores['nl']:.3f}, en {scores['en']:.3f}, all {scores['all']:.3f}; "
        f"language accuracy {scores['language_accuracy']:.3f}"
    )
    # Chance is 1/13; the floor guards against a broken pipeline, not a tuned figure.
    assert scores["nl"] > 0.6 and scores["en"] > 0.6
    assert scores["language_accuracy"] > 0.95


def test_dutch_compounds_and_inflections_are_recognised(model: ThemeClassifier) -> None:
    texts = [
        "Gijzelsoftware versleutelt servers van waterschap; back-ups deels onbruikbaar",
        "Overstromingen dreigen: rivierstanden stijgen na dagenlange regenval in Limburg",
        "Vogelgriep vastgesteld op pluimveebedrijf bij Barneveld, 40.000 kippen geruimd",
    ]
    predicted = [p.best for p in model.predict(texts)]
    assert predicted == ["cyber", "natural-disasters", "infectious-diseases"]
    assert {p.language for p in model.predict(texts)} == {"nl"}


def test_unlike_anything_gets_no_theme(model: ThemeClassifier) -> None:
    (odd,) = model.predict(["Recept: appeltaart met kaneel en rozijnen, een uur in de oven"])
    assert odd.theme is None and odd.confidence < classifier_settings().min_confidence
    assert model.predict([]) == []


def test_an_analysts_correction_moves_the_next_model() -> None:
    base = list(labelled_signals()["train"])
    text = "Onbekende drones boven windpark op zee gesignaleerd door kustwacht"
    corrected = [Labelled(text, "state-threats", "nl")] * 5
    before = ThemeClassifier.train(base, classifier_settings()).probabilities([text])
    after_model = ThemeClassifier.train(base + corrected, classifier_settings())
    after = after_model.probabilities([text])
    column = after_model.themes.index("state-threats")
    assert after[0, column] > before[0, column]
    with pytest.raises(ValueError, match="two themes"):
        ThemeClassifier.train([Labelled("x", "a", "nl"), Labelled("y", "a", "en")])
