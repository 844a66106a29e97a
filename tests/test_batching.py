"""Micro-batching of question encoding (retrieval/batching.py)."""

import threading
import time

import numpy as np
import pytest

from retrieval.batching import BatchingEncoder


class SlowEncoder:
    """Vectors that name their text; each call takes 20 ms and is recorded."""

    dimension = 2

    def __init__(self, fail_on: str | None = None):
        self.calls: list[list[str]] = []
        self.fail_on = fail_on

    def encode(self, texts, batch_size=32):
        self.calls.append(list(texts))
        time.sleep(0.02)
        if self.fail_on in texts:
            raise ValueError(f"cannot encode {self.fail_on}")
        return np.array([[float(len(t)), float(sum(map(ord, t)))] for t in texts], np.float32)


def expected(text):
    return np.array([[len(text), sum(map(ord, text))]], np.float32)


def test_alone_a_question_is_encoded_at_once_by_itself():
    inner = SlowEncoder()
    batching = BatchingEncoder(inner)
    started = time.perf_counter()
    assert np.array_equal(batching.encode(["Zhang Jun"]), expected("Zhang Jun"))
    assert time.perf_counter() - started < 0.1 and inner.calls == [["Zhang Jun"]]
    assert batching.encode(["a", "bb"]).shape == (2, 2) and inner.calls[-1] == ["a", "bb"]


def test_questions_arriving_together_share_calls_and_each_gets_its_own_vector():
    inner = SlowEncoder()
    batching = BatchingEncoder(inner, max_batch=8)
    texts = [f"question number {n}" for n in range(24)]
    got: dict[str, np.ndarray] = {}

    def ask(text):
        got[text] = batching.encode([text])

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert all(np.array_equal(got[t], expected(t)) for t in texts)
    assert len(inner.calls) < len(texts) and max(map(len, inner.calls)) <= 8
    assert sorted(t for call in inner.calls for t in call) == sorted(texts)  # each once
    assert batching.encoded == 24 and batching.calls == len(inner.calls)


def test_an_error_reaches_the_questions_of_its_call_and_the_next_call_still_runs():
    inner = SlowEncoder(fail_on="bad")
    batching = BatchingEncoder(inner)
    outcome = {}

    def ask(text):
        try:
            outcome[text] = batching.encode([text])
        except ValueError as err:
            outcome[text] = err

    first = threading.Thread(target=ask, args=("bad",))
    first.start()
    time.sleep(0.005)  # "good" arrives while the failing call runs: the next call is its own
    second = threading.Thread(target=ask, args=("good",))
    second.start()
    first.join(timeout=5)
    second.join(timeout=5)
    assert isinstance(outcome["bad"], ValueError)
    assert np.array_equal(outcome["good"], expected("good"))
    with pytest.raises(ValueError):
        batching.encode(["bad"])
