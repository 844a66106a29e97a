"""Dense, lexical and hybrid (reciprocal rank fusion) retrieval over an Index.

Each retriever returns [(row, score)] best first, where row indexes `index.passages`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .bm25 import top_k
from .places import expand_terms
from .store import Index, tokenize

# Reciprocal rank fusion constant (Cormack, Clarke & Büttcher, SIGIR 2009): 60 damps the weight
# of the very top ranks so that agreement between retrievers beats one retriever's confidence.
RRF_K = 60


def dense_search(index: Index, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Top k passages by their best sentence's cosine similarity to the question.

    With an IVF index the cosines come from its 8-bit codes (within ~0.005 of exact): the
    question path never reads the exact vectors, which stay on disk.
    """
    total = index.dense.ntotal
    fetch = min(k * 4, total)
    query = np.ascontiguousarray(query_vector, dtype=np.float32).reshape(1, -1)
    while fetch > 0:
        scores, ids = index.dense.search(query, fetch)
        valid = ids[0] >= 0
        rows = index.sentences.rows[index.sentences.positions(ids[0][valid])]
        best = _best_per_passage(rows, scores[0][valid])  # FAISS returns them best first
        # Done when k passages are found, or when the index has nothing more to give (IVF
        # returns fewer than asked once the probed lists are exhausted).
        if len(best) >= k or fetch >= total or valid.sum() < fetch:
            return list(best.items())[:k]
        fetch = min(fetch * 4, total)
    return []


def dense_search_within(
    index: Index, query_vector: np.ndarray, rows: list[int], k: int
) -> list[tuple[int, float]]:
    """dense_search restricted to these passage rows, computed exactly over their sentences
    (an article filter must not depend on which IVF lists a question probes)."""
    bounds = index.sentences.bounds
    positions = np.concatenate(
        [np.arange(bounds[r], bounds[r + 1]) for r in rows] or [np.zeros(0, dtype=np.int64)]
    )
    if not len(positions):
        return []
    scores = np.asarray(index.vectors[positions]) @ np.asarray(query_vector, dtype=np.float32)
    order = np.argsort(-scores, kind="stable")
    best = _best_per_passage(index.sentences.rows[positions[order]], scores[order])
    return list(best.items())[:k]


def _best_per_passage(rows: np.ndarray, scores: np.ndarray) -> dict[int, float]:
    """Passage row -> its best sentence's score, in order of first appearance; the sentences
    (their passage rows and scores) come best first."""
    best: dict[int, float] = {}
    for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
        best.setdefault(row, score)
    return best


def lexical_search(index: Index, question: str, k: int) -> list[tuple[int, float]]:
    """BM25 top k; passages sharing no term with the question are not returned."""
    vocab = index.lexical.vocab_dict
    # Countries in any of their forms: "Kremlin" also finds "Russian" and "Moscow" (places.py).
    terms = [vocab[t] for t in expand_terms(tokenize([question])[0]) if t in vocab]
    return [(row, score) for row, score in top_k(index.lexical.scores, terms, k) if score > 0]


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
