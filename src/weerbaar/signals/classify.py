"""Sorting signals into themes, offline, in Dutch and English.

Character n-grams within word boundaries (``char_wb``) weighted by TF-IDF feed two
linear models: one for the language, one for the theme. Character n-grams carry a
Dutch compound's parts ("drinkwater|bedrijf", "stroom|storingen") and an inflected
word's stem without a stemmer or a dictionary, and one vocabulary serves both
languages. A theme whose probability stays below ``min_confidence`` is not assigned:
such signals are the material for "possible new threat".

Training is deterministic (fixed solver, no random state used) and takes seconds on
the shipped set, so a model is trained where it is needed instead of being stored:
nothing to unpickle, and analysts' corrections count from the next run on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from weerbaar.signals.ngrams import Vocabulary, count_matrix, ngram_hashes
from weerbaar.signals.prediction import Prediction
from weerbaar.signals.settings import ClassifierSettings, Labelled
from weerbaar.signals.text import clean

__all__ = ["Features", "Prediction", "ThemeClassifier", "macro_f1"]


class ThemeClassifier:
    """A trained pair of models; :meth:`predict` is safe to call from many threads."""

    def __init__(
        self,
        features: Features,
        themes: LogisticRegression,
        languages: LogisticRegression,
        settings: ClassifierSettings,
        examples: int,
    ) -> None:
        self._features = features
        self._themes = themes
        self._languages = languages
        self.settings = settings
        self.examples = examples

    @property
    def themes(self) -> tuple[str, ...]:
        return tuple(str(t) for t in self._themes.classes_)

    @classmethod
    def train(
        cls, examples: Sequence[Labelled], settings: ClassifierSettings | None = None
    ) -> ThemeClassifier:
        settings = settings or ClassifierSettings()
        if len({e.theme for e in examples}) < 2:
            raise ValueError("training needs examples of at least two themes")
        if len({e.language for e in examples}) < 2:
            raise ValueError("training needs examples in both languages")
        features, matrix = Features.fit([clean(e.text) for e in examples], settings)
        themes = LogisticRegression(C=settings.c, max_iter=5000)
        languages = LogisticRegression(C=settings.c, max_iter=5000)
        # One thread: the solver's steps are vector operations over the coefficients
        # (themes × n-grams), too short to gain from more, and with the cores taken by
        # other workers the threads' waiting took twice as long as the training.
        with threadpool_limits(limits=1):
            themes.fit(matrix, [e.theme for e in examples])
            languages.fit(matrix, [e.language for e in examples])
        return cls(features, themes, languages, settings, len(examples))

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """(texts, themes) probabilities, columns in the order of :attr:`themes`."""
        if not texts:
            return np.zeros((0, len(self.themes)))
        features = self._features.transform([clean(t) for t in texts])
        return np.asarray(self._themes.predict_proba(features), dtype=np.float64)

    def predict(self, texts: Sequence[str], *, cleaned: bool = False) -> list[Prediction]:
        """``cleaned``: the texts went through :func:`~weerbaar.signals.text.clean`
        already."""
        if not texts:
            return []
        features = self._features.transform(texts if cleaned else [clean(t) for t in texts])
        theme_p = self._themes.predict_proba(features)
        language = self._languages.predict(features).tolist()
        best = theme_p.argmax(axis=1).tolist()
        confidences = theme_p[np.arange(len(best)), best].tolist()
        names = [str(n) for n in self._themes.classes_]
        threshold = self.settings.min_confidence
        return [
            Prediction(
                theme=names[column] if confidence >= threshold else None,
                confidence=confidence,
                best=names[column],
                language=str(lang),
            )
            for column, confidence, lang in zip(best, confidences, language, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class Features:
    """TF-IDF of character n-grams within word boundaries, as scikit-learn's
    ``TfidfVectorizer(analyzer="char_wb", sublinear_tf=True)`` makes them: term
    frequency ``1 + ln(count)``, smoothed inverse document frequency
    ``1 + ln((1 + n) / (1 + df))``, rows of unit length; n-grams the training texts
    lack are left out before the length is taken."""

    vocabulary: Vocabulary
    idf: NDArray[np.float64]
    n_min: int
    n_max: int

    @classmethod
    def fit(cls, texts: Sequence[str], settings: ClassifierSettings) -> tuple[Features, csr_matrix]:
        """The features of ``texts``, and the texts' matrix under them."""
        docs, hashes = ngram_hashes(texts, settings.ngram_min, settings.ngram_max)
        known, column = np.unique(hashes, return_inverse=True)
        if len(known) > settings.max_features:
            # The n-grams most frequent over all texts, as max_features keeps them.
            totals = np.bincount(column, minlength=len(known))
            kept = np.sort(np.argsort(-totals, kind="stable")[: settings.max_features])
            renumber = np.full(len(known), -1, dtype=np.intp)
            renumber[kept] = np.arange(len(kept))
            column = renumber[column]
            docs, column, known = docs[column >= 0], column[column >= 0], known[kept]
        counts = count_matrix(docs, column, len(texts), len(known))
        df = np.bincount(counts.indices, minlength=len(known))
        idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
        features = cls(Vocabulary(known), idf, *_range(settings))
        return features, features._weighted(counts)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """(len(texts), len(vocabulary)) sparse TF-IDF rows."""
        docs, hashes = ngram_hashes(texts, self.n_min, self.n_max)
        columns, known = self.vocabulary.columns(hashes)
        return self._weighted(
            count_matrix(docs[known], columns[known], len(texts), len(self.vocabulary))
        )

    def _weighted(self, counts: csr_matrix) -> csr_matrix:
        """``counts`` turned into TF-IDF rows of unit length, in place."""
        data = counts.data
        np.log(data, out=data)
        data += 1.0
        data *= self.idf[counts.indices]
        row_of = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        lengths = np.sqrt(np.bincount(row_of, weights=data * data, minlength=counts.shape[0]))
        data /= lengths[row_of]
        return counts


def _range(settings: ClassifierSettings) -> tuple[int, int]:
    return settings.ngram_min, settings.ngram_max


def macro_f1(classifier: ThemeClassifier, heldout: Sequence[Labelled]) -> dict[str, float]:
    """Macro-F1 of the theme (most likely one, no threshold) per language and over all,
    and the accuracy of the language model."""
    # Here, not at the top: the workers that classify signals need no metrics, and
    # importing them slowed each worker's start.
    from sklearn.metrics import f1_score

    predictions = classifier.predict([h.text for h in heldout])
    out: dict[str, float] = {}
    for language in sorted({h.language for h in heldout}):
        rows = [i for i, h in enumerate(heldout) if h.language == language]
        out[language] = float(
            f1_score(
                [heldout[i].theme for i in rows],
                [predictions[i].best for i in rows],
                average="macro",
                zero_division=0,
            )
        )
    out["all"] = float(
        f1_score(
            [h.theme for h in heldout],
            [p.best for p in predictions],
            average="macro",
            zero_division=0,
        )
    )
    out["language_accuracy"] = float(
        np.mean([p.language == h.language for p, h in zip(predictions, heldout, strict=True)])
    )
    return out
