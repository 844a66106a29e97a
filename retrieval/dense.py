"""The dense side: exact or IVF indexes over sentence vectors, and search by passage.

A passage's dense score is its best sentence's cosine (MiniLM is a sentence model).
"""

from __future__ import annotations

import math
import os
import threading

import numpy as np

# Exact search reads every vector per question (memory-bandwidth bound). bench/bench_scale.py
# measured one question (k = 200) on real sentence vectors: exact 0.89 ms at 10k vectors,
# 2.3-2.5 ms at 20k, 32-33 ms at 210k; IVF-SQ8 with 24 lists probed 0.12-0.38 ms over that range
# (bench/RESULTS.md). Exact search stays while it costs about 1 ms.
EXACT_MAX_VECTORS = 12_000
# IVF: lists = 4 sqrt(n) (at least 40 training vectors per list), IVF_NPROBE lists probed;
# codes are 8-bit scalar quantized (384 B per vector) and their cosines are used as they are:
# on synthetic news, recall@10 against exact search measured 0.984-0.995 from 10k to 210k
# vectors at 24 probes, but on real news far less: all of Reuters-21578 (136k sentences, 1,477
# lists, 122 questions, passage top 10 by best sentence) gave 0.840 at 24 probes, 0.886 at 48,
# 0.930 at 96 and 0.961 at 192, at 0.78, 0.67, 0.91 and 1.47 ms a question (bench/RESULTS.md).
IVF_NPROBE = 96
IVF_TRAIN_PER_LIST = 40


# What _threads last set, per thread: OpenMP keeps the thread count per calling thread, so a
# server's worker threads each set their own (one flag for the process left them at two, and
# their OpenMP team spun at its barrier after every search: 7.7 ms of CPU per served answer).
_THREADS_SET = threading.local()


def _threads(searching: bool) -> None:
    """FAISS's OpenMP threads: one while answering, all cores while building. A question is one
    query, which FAISS does not split, but its OpenMP team still wakes and spins beside the
    ONNX encoder's threads: on the seed corpus a fact question took 8.2 ms p50 with two
    threads and 5.0 ms with one (bench/RESULTS.md). Training and adding use every core."""
    if getattr(_THREADS_SET, "searching", None) is searching:
        return  # faiss.omp_get_max_threads() took ~4% of a served answer's samples
    import faiss

    faiss.omp_set_num_threads(1 if searching else (os.cpu_count() or 1))
    _THREADS_SET.searching = searching


def choose_dense(vectors: int, previous: dict | None = None) -> dict:
    """Exact search up to EXACT_MAX_VECTORS, else IVF with scalar-quantized codes. An IVF
    trained for within a factor 2 of today's size is kept (updated in place, not retrained)."""
    if vectors <= EXACT_MAX_VECTORS:
        return {"type": "exact", "vectors": vectors}
    if previous and previous.get("type") == "ivf":  # (probes are a search setting: no retrain)
        if 0.5 <= vectors / previous["trained_on"] <= 2:
            return {**previous, "nprobe": IVF_NPROBE, "vectors": vectors}
    lists = max(1, min(int(4 * math.sqrt(vectors)), vectors // IVF_TRAIN_PER_LIST))
    return {
        "type": "ivf", "factory": f"IVF{lists},SQ8", "nprobe": IVF_NPROBE,
        "trained_on": vectors, "vectors": vectors,
    }  # fmt: skip


def exact_index(vectors: np.ndarray, ids: np.ndarray):
    import faiss

    _threads(searching=False)
    dense = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    if len(vectors):
        dense.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
    return dense


def build_ivf(spec: dict, vectors: np.ndarray, ids: np.ndarray):
    """Train and fill an IVF index; training uses an even sample (k-means on all is wasted)."""
    import faiss

    _threads(searching=False)
    dense = faiss.index_factory(vectors.shape[1], spec["factory"], faiss.METRIC_INNER_PRODUCT)
    lists = faiss.extract_index_ivf(dense).nlist
    sample = min(len(vectors), lists * IVF_TRAIN_PER_LIST * 2)
    step = max(1, len(vectors) // sample)
    dense.train(np.ascontiguousarray(vectors[::step][:sample], dtype=np.float32))
    for first in range(0, len(vectors), 100_000):  # bounded memory for 1M+ vectors
        chunk = np.ascontiguousarray(vectors[first : first + 100_000], dtype=np.float32)
        dense.add_with_ids(chunk, ids[first : first + 100_000])
    dense.nprobe = spec["nprobe"]
    return dense


# ---------------------------------------------------------------- search


def dense_search(index, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Top k passages (row, score) by their best sentence's cosine, from the index's store."""
    return index.searcher.dense(query_vector, k)


def dense_search_within(
    index, query_vector: np.ndarray, rows: list[int], k: int
) -> list[tuple[int, float]]:
    """dense_search restricted to these passage rows (an article filter)."""
    return index.searcher.dense_within(query_vector, rows, k)


def faiss_search(index, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The embedded store's dense_search: a FAISS index over sentence vectors.

    With an IVF index the cosines come from its 8-bit codes (within ~0.005 of exact): the
    question path never reads the exact vectors, which stay on disk.
    """
    _threads(searching=True)
    total = index.dense.ntotal
    fetch = min(k * 4, total)
    query = np.ascontiguousarray(query_vector, dtype=np.float32).reshape(1, -1)
    while fetch > 0:
        scores, ids = index.dense.search(query, fetch)
        valid = ids[0] >= 0
        rows = index.sentences.rows[index.sentences.positions(ids[0][valid])]
        best = best_per_passage(rows, scores[0][valid])  # FAISS returns them best first
        # Done when k passages are found, or when the index has nothing more to give (IVF
        # returns fewer than asked once the probed lists are exhausted).
        if len(best) >= k or fetch >= total or valid.sum() < fetch:
            return list(best.items())[:k]
        fetch = min(fetch * 4, total)
    return []


def exact_search_within(
    index, query_vector: np.ndarray, rows: list[int], k: int, vectors_of=None
) -> list[tuple[int, float]]:
    """dense_search_within computed exactly over the rows' sentences, whatever the index type
    (an article filter must not depend on which IVF lists a question probes). The vectors are
    the embedded store's rows, or `vectors_of(sentence ids)` (a store that holds them)."""
    bounds = index.sentences.bounds
    positions = np.concatenate(
        [np.arange(bounds[r], bounds[r + 1]) for r in rows] or [np.zeros(0, dtype=np.int64)]
    )
    if not len(positions):
        return []
    if vectors_of is None:
        vectors = np.asarray(index.vectors[positions])
    else:
        vectors = vectors_of(index.sentences.ids[positions])
    scores = vectors @ np.asarray(query_vector, dtype=np.float32)
    order = np.argsort(-scores, kind="stable")
    best = best_per_passage(index.sentences.rows[positions[order]], scores[order])
    return list(best.items())[:k]


def best_per_passage(rows: np.ndarray, scores: np.ndarray) -> dict[int, float]:
    """Passage row -> its best sentence's score, best first; the sentences (their passage rows
    and scores) come best first. Equal scores order by row, whatever order the search engine
    returned them in: overlapping passages share sentences, hence exact ties, and FAISS and
    Milvus break those differently (the stores must answer alike; bm25s orders ties so too)."""
    best: dict[int, float] = {}
    for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
        best.setdefault(row, score)
    return dict(sorted(best.items(), key=lambda pair: (-pair[1], pair[0])))
