"""Dense, lexical and hybrid (reciprocal rank fusion) retrieval over an Index.

Each retriever returns [(row, score)] best first, where row indexes `index.passages`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .store import Index, tokenize

# Reciprocal rank fusion constant (Cormack, Clarke & Büttcher, SIGIR 2009): 60 damps the weight
# of the very top ranks so that agreement between retrievers beats one retriever's confidence.
RRF_K = 60


def dense_search(index: Index, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Top k passages by their best sentence's cosine similarity to the question."""
    total = index.dense.ntotal
    fetch = min(k * 4, total)
    while True:
        scores, ids = index.dense.search(query_vector.reshape(1, -1), fetch)
        best: dict[int, float] = {}
        for sentence_id, score in zip(ids[0], scores[0], strict=True):
            if sentence_id >= 0:
                row = index.sentence_at[int(sentence_id)].row
                best.setdefault(row, float(score))  # results come best first
        if len(best) >= k or fetch >= total:
            return list(best.items())[:k]
        fetch = min(fetch * 4, total)


def lexical_search(index: Index, question: str, k: int) -> list[tuple[int, float]]:
    """BM25 top k; passages sharing no term with the question are not returned."""
    tokens = tokenize([question])[0]
    known = [t for t in tokens if t in index.lexical.vocab_dict]
    k = min(k, len(index.passages))  # bm25s raises when k exceeds the corpus size
    if not known or k <= 0:
        return []
    rows, scores = index.lexical.retrieve([known], k=k, show_progress=False, n_threads=1)
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], weights: Sequence[float] | None = None, k: int = RRF_K
) -> list[tuple[int, float]]:
    """Fuse ranked lists of ids: score(id) = sum over lists of w / (k + rank), rank from 1."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    # Ties (same fused score) keep the order of first appearance: dense list first.
    return sorted(fused.items(), key=lambda pair: -pair[1])
