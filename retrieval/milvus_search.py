"""Searching the Milvus store: backend.Search over one generation's collections."""

from __future__ import annotations

import json
import weakref

import numpy as np

from .dense import IVF_NPROBE, best_per_passage, exact_search_within
from .lexical import idf_of
from .milvus_schema import CONSISTENCY, MAX_LIMIT


class MilvusSearch:
    """backend.Search over one generation's collections; results are mapped onto the loaded
    snapshot's passage rows (anything else is not part of this snapshot and is dropped)."""

    def __init__(self, store, names: dict, index, passage_ids: dict,
                 vocabulary: dict) -> None:  # fmt: skip
        # (a proxy: the index holds this searcher, and a cycle would keep old generations alive
        # until a full garbage collection)
        self.store, self.names, self.index = store, names, weakref.proxy(index)
        self.row_of = passage_ids
        self.vocabulary = vocabulary
        # Terms gone from the corpus keep their ids in the store but are no term of this one.
        pairs = zip(vocabulary["terms"], vocabulary["df"], strict=True)
        self.tid_of = {term: i for i, (term, df) in enumerate(pairs) if df}
        params = dict(index.manifest["dense_index"].get("search", {}))
        if "nprobe" in params:  # this code's search setting, as in the embedded store
            params["nprobe"] = IVF_NPROBE
        self.search_params = {"metric_type": "IP", "params": params}

    def dense(self, query_vector, k):
        total = len(self.index.sentences)
        fetch = min(max(k * 4, 1), total, MAX_LIMIT)
        query = np.asarray(query_vector, dtype=np.float32).tolist()
        while fetch > 0:
            found = self.store._call(
                self.store.client.search, self.names["sentences"], [query], anns_field="vector",
                limit=fetch, output_fields=["passage_id"], search_params=self.search_params,
                consistency_level=CONSISTENCY,
            )[0]  # fmt: skip
            pairs = [(self.row_of.get(h["entity"]["passage_id"]), h["distance"]) for h in found]
            pairs = [(row, score) for row, score in pairs if row is not None]
            best = best_per_passage(np.array([r for r, _ in pairs], dtype=np.int64),
                                    np.array([s for _, s in pairs], dtype=np.float32))  # fmt: skip
            if len(best) >= k or fetch >= min(total, MAX_LIMIT) or len(found) < fetch:
                return [(row, float(score)) for row, score in list(best.items())[:k]]
            fetch = min(fetch * 4, total, MAX_LIMIT)
        return []

    def dense_within(self, query_vector, rows, k):
        # Exact, as the embedded store; the rows' vectors are read by their sentence ids.
        return exact_search_within(self.index, query_vector, rows, k, vectors_of=self.vectors)

    def lexical(self, terms, k):
        return self._lexical(terms, k, "")

    def _lexical(self, terms, k, where: str):
        """BM25 through the sparse index, then each candidate rescored exactly as bm25s sums
        (float32, in the question's term order): equal scores order by row, as bm25s does."""
        wanted = [self.tid_of[t] for t in terms if t in self.tid_of]
        if not wanted or k <= 0:
            return []
        query: dict[int, float] = {}
        for tid in wanted:
            query[tid] = query.get(tid, 0.0) + 1.0
        limit = min(k + 16, MAX_LIMIT)  # a few more: the exact rescoring may reorder the edge
        while True:
            found = self.store._call(
                self.store.client.search, self.names["passages"], [query], anns_field="terms",
                limit=limit, output_fields=["terms"], filter=where,
                search_params={"metric_type": "IP"}, consistency_level=CONSISTENCY,
            )[0]  # fmt: skip
            scored = self._rescored(found, wanted)
            exhausted = len(found) < limit or limit >= MAX_LIMIT
            # More when passages outside this snapshot were dropped, or when the tie at rank k
            # may go on past what Milvus returned (which tied passages it returns is its choice).
            short = len(scored) < k
            tied = len(scored) >= k and scored[k - 1][1] == scored[-1][1]
            if exhausted or not (short or tied):
                return scored[:k]
            limit = min(limit * 4, MAX_LIMIT)

    def _rescored(self, found, wanted: list[int]) -> list[tuple[int, float]]:
        scored = []
        for hit in found:
            row = self.row_of.get(hit["passage_id"] if "passage_id" in hit else hit["id"])
            if row is None:
                continue
            weights = hit["entity"]["terms"]
            score = np.float32(0.0)
            for tid in wanted:
                score = np.float32(score + np.float32(weights.get(tid, 0.0)))
            if score > 0:
                scored.append((row, float(score)))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored

    def lexical_within(self, terms, doc_ids, k):
        where = f"doc_id in {json.dumps(sorted(doc_ids))}"
        return self._lexical(terms, k, where)

    def vectors(self, sentence_ids):
        ids = [int(i) for i in np.asarray(sentence_ids).tolist()]
        out = np.zeros((len(ids), int(self.index.manifest["dimension"])), dtype=np.float32)
        if not ids:
            return out
        found = {}
        unique = list(dict.fromkeys(ids))
        for first in range(0, len(unique), 1000):
            rows = self.store._call(
                self.store.client.get, self.names["sentences"], ids=unique[first : first + 1000],
                output_fields=["vector"], consistency_level=CONSISTENCY,
            )  # fmt: skip
            found.update({r["sentence_id"]: r["vector"] for r in rows})
        for i, sid in enumerate(ids):
            if sid in found:
                out[i] = found[sid]
        return out

    def idf(self):
        cached = getattr(self, "_idf", None)
        if cached is None:
            idf = idf_of(np.asarray(self.vocabulary["df"]), len(self.index.passages))
            cached = self._idf = (self.tid_of, idf)
        return cached
