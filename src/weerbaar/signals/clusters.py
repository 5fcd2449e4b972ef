"""Groups of similar texts among the signals that fit no theme: the material of a
"possible new threat".

Texts are compared as TF-IDF vectors of character n-grams (as the classifier reads
them); two texts whose cosine similarity reaches the threshold are linked, and a
group is a connected set of links (single linkage, via ``scipy.sparse.csgraph``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from weerbaar.signals.text import clean

__all__ = ["similar_groups"]

MAX_TEXTS = 20_000  # the similarity matrix is sparse but its product is quadratic at worst


def similar_groups(texts: Sequence[str], *, similarity: float, min_size: int) -> list[list[int]]:
    """Indices of the texts in groups of at least ``min_size``, largest group first,
    each group in index order."""
    if not 0 < similarity <= 1:
        raise ValueError(f"similarity must be in (0, 1], not {similarity}")
    if len(texts) < max(min_size, 2):
        return []
    if len(texts) > MAX_TEXTS:
        raise ValueError(
            f"{len(texts):,} texts is more than {MAX_TEXTS:,}; cluster a shorter period"
        )
    vectors = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True
    ).fit_transform([clean(t) for t in texts])
    product = (vectors @ vectors.T).tocoo()
    keep = (product.data >= similarity) & (product.row != product.col)
    links = csr_matrix(
        (np.ones(int(keep.sum())), (product.row[keep], product.col[keep])), shape=product.shape
    )
    count, labels = connected_components(links, directed=False)
    groups = [np.flatnonzero(labels == label).tolist() for label in range(count)]
    groups = [g for g in groups if len(g) >= min_size]
    return sorted(groups, key=lambda g: (-len(g), g[0]))
