"""Questions asked at the same moment share one encoder call (micro-batching for a server).

Group commit, with no timer: a question that finds the encoder idle is encoded at once, alone
(no added wait). Questions that arrive while a call runs queue up; when it returns, the first
of them leads the next call for all of them (up to MAX_BATCH). Under load the batch grows by
itself, and one call for 8 questions costs far less than 8 calls (bench/bench_encoder_batch.py:
the table in bench/RESULTS.md). Only single texts are batched: ingest's big calls pass through.
"""

from __future__ import annotations

import functools
import threading

import numpy as np

MAX_BATCH = 16


class _Waiting:
    __slots__ = ("text", "ready", "vector", "error", "leads")

    def __init__(self, text: str):
        self.text, self.ready = text, threading.Event()
        self.vector, self.error, self.leads = None, None, False


class BatchingEncoder:
    """Wraps an encoder (`encode(texts) -> array`); thread-safe; same vectors as the wrapped
    one up to float rounding (a batch pads to its longest question, masked out)."""

    def __init__(self, encoder, max_batch: int = MAX_BATCH):
        self.encoder, self.max_batch = encoder, max_batch
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._running = False
        self.calls = self.encoded = 0  # for benchmarks: texts per call = encoded / calls

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if len(texts) != 1:
            return self.encoder.encode(texts, batch_size=batch_size)
        mine = _Waiting(texts[0])
        with self._lock:
            self._queue.append(mine)
            mine.leads = not self._running
            self._running = True
        if not mine.leads:
            mine.ready.wait()
        if mine.leads:  # idle when it came, or handed the lead by the call before
            self._lead()
        if mine.error is not None:
            raise mine.error
        return mine.vector[None, :]

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
        try:
            vectors = self.encoder.encode([w.text for w in batch])
            for waiting, vector in zip(batch, vectors, strict=True):
                waiting.vector = vector
        except Exception as err:  # noqa: BLE001 - each question gets the error it caused
            for waiting in batch:
                waiting.error = err
        with self._lock:
            self.calls, self.encoded = self.calls + 1, self.encoded + len(batch)
            successor = self._queue[0] if self._queue else None
            if successor is None:
                self._running = False
            else:
                successor.leads = True
        for waiting in batch:
            waiting.ready.set()
        if successor is not None:
            successor.ready.set()  # it leads the next call, for everyone queued meanwhile


@functools.cache
def batching_query_encoder(model: str) -> BatchingEncoder:
    """One batching wrapper per model, around a query encoder whose idle threads sleep (a
    server's questions run side by side; spinning threads would take their CPU)."""
    from .encoders import load_query_encoder

    return BatchingEncoder(load_query_encoder(model, spinning=False))
