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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from weerbaar.signals.settings import ClassifierSettings, Labelled
from weerbaar.signals.text import clean

__all__ = ["Prediction", "ThemeClassifier", "macro_f1"]


@dataclass(frozen=True, slots=True)
class Prediction:
    theme: str | None  # None: no theme is likely enough
    confidence: float  # probability of the most likely theme
    best: str  # the most likely theme, even when below the threshold
    language: str
    # Set by the semantic layer for a signal this model left without a theme: theme
    # and confidence (then a cosine, not a probability) are its zero-shot theme's.
    by_zero_shot: bool = False


class ThemeClassifier:
    """A trained pair of models; :meth:`predict` is safe to call from many threads."""

    def __init__(
        self,
        vectorizer: TfidfVectorizer,
        themes: LogisticRegression,
        languages: LogisticRegression,
        settings: ClassifierSettings,
        examples: int,
    ) -> None:
        self._vectorizer = vectorizer
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
        vectorizer = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(settings.ngram_min, settings.ngram_max),
            sublinear_tf=True,
            max_features=settings.max_features,
            dtype=np.float32,
        )
        features = vectorizer.fit_transform([clean(e.text) for e in examples])
        themes = LogisticRegression(C=settings.c, max_iter=5000)
        themes.fit(features, [e.theme for e in examples])
        languages = LogisticRegression(C=settings.c, max_iter=5000)
        languages.fit(features, [e.language for e in examples])
        return cls(vectorizer, themes, languages, settings, len(examples))

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """(texts, themes) probabilities, columns in the order of :attr:`themes`."""
        if not texts:
            return np.zeros((0, len(self.themes)))
        features = self._vectorizer.transform([clean(t) for t in texts])
        return np.asarray(self._themes.predict_proba(features), dtype=np.float64)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        features = self._vectorizer.transform([clean(t) for t in texts])
        theme_p = self._themes.predict_proba(features)
        language = self._languages.predict(features)
        best = theme_p.argmax(axis=1)
        names = self._themes.classes_
        out = []
        for i, column in enumerate(best.tolist()):
            confidence = float(theme_p[i, column])
            theme = str(names[column])
            out.append(
                Prediction(
                    theme=theme if confidence >= self.settings.min_confidence else None,
                    confidence=confidence,
                    best=theme,
                    language=str(language[i]),
                )
            )
        return out


def macro_f1(classifier: ThemeClassifier, heldout: Sequence[Labelled]) -> dict[str, float]:
    """Macro-F1 of the theme (most likely one, no threshold) per language and over all,
    and the accuracy of the language model."""
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
