"""BM25 top-k over bm25s's stored score matrix, in one compiled loop.

bm25s precomputes every (term, passage) BM25 score at index time into a sparse matrix (CSC:
one column of passages per vocabulary term). A question's score for a passage is the sum of
its terms' columns. bm25s's own numpy retrieval scans all passages per question (61 ms at 1M);
its numba backend recompiles at every process start (~6 s here). This kernel touches only the
question's postings, keeps a k-heap over the passages it touched, and is compiled once into
numba's on-disk cache (`newsqa ingest` warms it): a cold `newsqa ask` pays ~0.27 s to import
numba and ~0.28 s to load the kernel from the cache, not a compile.
Its score array is allocated once per thread and handed back zeroed.
"""

from __future__ import annotations

import functools
import threading

import numpy as np


def _top_k(data, indices, indptr, terms, scores, k):  # pragma: no cover - compiled by numba
    # `scores` is all zeros on entry and is left all zeros: only touched entries are reset, so
    # a question costs its postings, not the corpus size.
    total = 0
    for t in terms:
        total += indptr[t + 1] - indptr[t]
    touched = np.empty(total, dtype=np.int64)
    n = 0
    for t in terms:
        for j in range(indptr[t], indptr[t + 1]):
            row = indices[j]
            if scores[row] == 0.0:
                touched[n] = row
                n += 1
            scores[row] += data[j]
    k = min(k, n)
    # A min-heap of the k best (score, -row): ties go to the lower row, as a stable sort would.
    heap_scores = np.empty(k, dtype=np.float32)
    heap_rows = np.empty(k, dtype=np.int64)
    size = 0
    for i in range(n):
        row = touched[i]
        score = scores[row]
        if size < k:
            j = size
            size += 1
            while j > 0:  # sift up
                parent = (j - 1) // 2
                ps, pr = heap_scores[parent], heap_rows[parent]
                if ps < score or (ps == score and pr < row):
                    break
                heap_scores[j], heap_rows[j] = ps, pr
                j = parent
            heap_scores[j], heap_rows[j] = score, row
        elif score > heap_scores[0] or (score == heap_scores[0] and row < heap_rows[0]):
            j = 0
            while True:  # sift down from the root
                child = 2 * j + 1
                if child >= size:
                    break
                if child + 1 < size:
                    cs, cr = heap_scores[child], heap_rows[child]
                    ds, dr = heap_scores[child + 1], heap_rows[child + 1]
                    if ds < cs or (ds == cs and dr > cr):
                        child += 1
                cs, cr = heap_scores[child], heap_rows[child]
                if score < cs or (score == cs and row > cr):
                    break
                heap_scores[j], heap_rows[j] = cs, cr
                j = child
            heap_scores[j], heap_rows[j] = score, row
    for i in range(n):
        scores[touched[i]] = 0.0
    return heap_rows[:size], heap_scores[:size]


@functools.cache
def _compiled():
    import numba

    try:
        return numba.njit(cache=True, nogil=True)(_top_k)
    except RuntimeError:  # no writable cache folder (read-only install): compile per process
        return numba.njit(nogil=True)(_top_k)


_scratch = threading.local()  # one zeroed score array per thread (questions run concurrently)


def top_k(scores: dict, terms: list[int], k: int) -> list[tuple[int, float]]:
    """The k best passage rows for these term ids, best first; passages with no term omitted.
    `scores` is bm25s's `BM25.scores` (data, indices, indptr, num_docs)."""
    if not terms or k <= 0:
        return []
    passages = int(scores["num_docs"])
    buffer = getattr(_scratch, "scores", None)
    if buffer is None or len(buffer) < passages:
        buffer = _scratch.scores = np.zeros(passages, dtype=np.float32)
    rows, values = _compiled()(
        _read_only(scores["data"]), _read_only(scores["indices"]), _read_only(scores["indptr"]),
        np.asarray(terms, dtype=np.int64), buffer, int(k),
    )  # fmt: skip
    order = np.lexsort((rows, -values))  # best first; ties: lower row first
    return [(int(rows[i]), float(values[i])) for i in order]


def _read_only(array) -> np.ndarray:
    """One compiled signature for built (writable) and loaded (memory-mapped) indexes alike."""
    view = np.asarray(array).view()
    view.flags.writeable = False
    return view


def warm(scores: dict) -> None:
    """Compile into numba's cache now (ingest), not on the first question."""
    top_k(scores, [0], 1)
