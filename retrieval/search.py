"""Hybrid retrieval: reciprocal rank fusion of the dense and lexical rankings, and the embedded
store's searches (EmbeddedSearch: FAISS and bm25s, backend.Search's default).

Each retriever (dense.py, lexical.py) returns [(row, score)] best first, where row indexes
`index.passages`; fusion works on their ranks only.
"""

from __future__ import annotations

from collections.abc import Sequence

from .dense import exact_search_within, faiss_search
from .lexical import bm25_idf, bm25_search

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


class EmbeddedSearch:
    """The embedded store's searches: FAISS and bm25s over the index's own fields."""

    def __init__(self, index) -> None:
        self.index = index

    def dense(self, query_vector, k):
        return faiss_search(self.index, query_vector, k)

    def dense_within(self, query_vector, rows, k):
        return exact_search_within(self.index, query_vector, rows, k)

    def lexical(self, terms, k):
        return bm25_search(self.index, terms, k)

    def lexical_within(self, terms, doc_ids, k):
        # BM25 over everything it matches, then filtered (a question's postings are short).
        passages = self.index.passages
        found = bm25_search(self.index, terms, len(passages))
        return [(row, score) for row, score in found if passages.doc_of(row) in doc_ids][:k]

    def vectors(self, sentence_ids):
        return self.index.stored_vectors(sentence_ids)

    def idf(self):
        return bm25_idf(self.index)
