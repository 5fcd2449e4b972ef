"""The default theme classifier on the shipped labelled set: macro-F1 per language
on the held-out texts, printed for the record, and the behaviours around it; its
features against scikit-learn's ``TfidfVectorizer``, which they replace."""

from __future__ import annotations

import pickle
from collections import Counter

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from tests.helpers import REPORTED
from weerbaar.reference.signals import classifier_settings, labelled_signals
from weerbaar.signals.classify import Features, ThemeClassifier, macro_f1
from weerbaar.signals.ngrams import Vocabulary, ngram_hashes, string_hash
from weerbaar.signals.prepare import ModelSpec, ZeroShot
from weerbaar.signals.settings import ClassifierSettings, Labelled
from weerbaar.signals.text import clean

# Held-out macro-F1 of the model when its features came from scikit-learn's
# TfidfVectorizer with a vocabulary of strings; the hashed n-grams must do as well.
VOCABULARY_MODEL_F1 = {"nl": 0.7607, "en": 0.7922, "all": 0.7780}


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
    for part, before in VOCABULARY_MODEL_F1.items():
        assert scores[part] >= before, (part, scores[part], before)


ODD_TEXTS = ["", "   ", "a", "a b", "IJssel-dijk  én ﬁets", "x" * 9, "Über café; 40.000 kippen"]


@pytest.mark.parametrize("ngram_range", [(3, 5), (1, 3), (2, 2), (4, 7)])
def test_the_ngrams_are_those_of_scikit_learn(ngram_range: tuple[int, int]) -> None:
    texts = [clean(e.text) for e in labelled_signals()["train"][:200]] + ODD_TEXTS
    analyse = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range).build_analyzer()
    docs, hashes = ngram_hashes(texts, *ngram_range)
    for i, text in enumerate(texts):
        expected = Counter(string_hash(g) for g in analyse(text))
        assert Counter(hashes[docs == i].tolist()) == expected, text


def test_the_features_are_scikit_learns_tf_idf() -> None:
    texts = [clean(e.text) for e in labelled_signals()["train"]]
    settings = classifier_settings()
    reference = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(settings.ngram_min, settings.ngram_max),
        sublinear_tf=True,
        max_features=settings.max_features,
    )
    expected = reference.fit_transform(texts[:1000]).toarray()
    features, fitted = Features.fit(texts[:1000], settings)
    # The same n-grams, in another order: scikit-learn's by name, ours by hash.
    terms = reference.get_feature_names_out()
    columns, known = features.vocabulary.columns(
        np.array([string_hash(t) for t in terms], dtype=np.uint64)
    )
    assert known.all() and len(features.vocabulary) == len(terms)
    np.testing.assert_allclose(fitted.toarray()[:, columns], expected, atol=1e-6)
    # Unseen texts: n-grams the training texts lack are left out before the length.
    unseen = texts[1000:] + ODD_TEXTS
    np.testing.assert_allclose(
        features.transform(unseen).toarray()[:, columns],
        reference.transform(unseen).toarray(),
        atol=1e-6,
    )


def test_max_features_keeps_the_most_frequent_ngrams() -> None:
    texts = [clean(e.text) for e in labelled_signals()["train"][:300]]
    features, matrix = Features.fit(texts, ClassifierSettings(max_features=500))
    analyse = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer()
    counts = Counter(string_hash(g) for text in texts for g in analyse(text))
    kept = set(features.vocabulary.hashes.tolist())
    assert len(kept) == 500 and matrix.shape == (300, 500)
    assert min(counts[h] for h in kept) >= max(c for h, c in counts.items() if h not in kept)


def test_the_vocabulary_finds_what_it_holds_and_nothing_else() -> None:
    rng = np.random.default_rng(5)
    held = np.unique(rng.integers(0, 2**64, size=5000, dtype=np.uint64))
    vocabulary = Vocabulary(held)
    others = rng.integers(0, 2**64, size=5000, dtype=np.uint64)
    queries = np.concatenate([held, others, held[:10]])
    columns, known = vocabulary.columns(queries)
    expected = np.isin(queries, held)
    assert (known == expected).all()
    assert (vocabulary.hashes[columns[known]] == queries[known]).all()
    empty_columns, empty_known = Vocabulary(np.zeros(0, dtype=np.uint64)).columns(queries)
    assert not empty_known.any() and len(empty_columns) == len(queries)


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


def test_a_spec_arrives_at_a_worker_as_it_left() -> None:
    spec = ModelSpec(
        classifier_settings(),
        labelled_signals()["train"][:50],
        ZeroShot((("cyber", "Cyberaanvallen"),), 0.25),
    )
    arrived = pickle.loads(pickle.dumps(spec))
    assert arrived == spec and hash(arrived) == hash(spec)
    assert all(isinstance(e, Labelled) for e in arrived.examples)
