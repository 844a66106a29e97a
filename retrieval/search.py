"""Hybrid retrieval: reciprocal rank fusion of the dense and lexical rankings.

Each retriever (dense.py, lexical.py) returns [(row, score)] best first, where row indexes
`index.passages`; fusion works on their ranks only.
"""

from __future__ import annotations

from collections.abc import Sequence

# Reciprocal rank fusion constant (Cormack, Clarke & Büttcher, SIGIR 2009): 60 damps the weight
# of the very top ranks so that agreement between retrievers beats one retriever's confidence.
RRF_K = 60


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
