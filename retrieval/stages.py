"""Where an ingest's stages run (load, split, quotes, embed), and how they report progress.

update.py's sync calls the stages of `current_work()`: LocalWork (this process, the default),
or what `working_on` set, e.g. ray_ingest.RayWork (the same stages on a Ray cluster).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

import numpy as np

from .documents import parse_each
from .encoders import load_encoder
from .passages import split_document
from .quotes import extract_quotes, speaker_roles

# Progress of long work, for front ends to show: (stage, done, total), stages "load" (files),
# "split" (articles: passages and quotes), "embed" (sentences), "write" (the generation).
Progress = Callable[[str, int, int], None]
_PROGRESS: contextvars.ContextVar[Progress | None] = contextvars.ContextVar(
    "progress", default=None
)
EMBED_CHUNK = 4096  # sentences encoded per call between progress reports (a multiple of 32)


@contextlib.contextmanager
def reporting(progress: Progress | None):
    """Report the progress of the ingests run inside this block to `progress`."""
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def report_progress(stage: str, done: int, total: int) -> None:
    progress = _PROGRESS.get()
    if progress is not None:
        progress(stage, done, total)


class LocalWork:
    """Where the ingest stages run: here, in this process (the default). ray_ingest.RayWork
    runs the same stages as Ray Data map_batches on a cluster; both give the same articles."""

    def parse(self, jobs):
        """load: each file's articles (documents.parse_each's contract)."""
        return parse_each(jobs)

    def articles(self, docs, settings, furniture, quoted):
        """split and quotes: doc id -> (passages, quotes, speaker roles); quotes and roles are
        computed only for articles in `quoted` (the others keep theirs), else None."""
        done = {}
        for n, doc in enumerate(docs, start=1):
            if n % 500 == 0 or n == len(docs):
                report_progress("split", n, len(docs))
            passages = split_document(doc, settings, furniture=furniture)
            if doc.doc_id in quoted:
                done[doc.doc_id] = (passages, extract_quotes(doc), speaker_roles(doc))
            else:
                done[doc.doc_id] = (passages, None, None)
        return done

    def embed(self, model: str, texts: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """embed: the sentences' vectors, as chunks of (positions in `texts`, vectors)."""
        encoder = load_encoder(model)
        report_progress("embed", 0, len(texts))
        for first in range(0, len(texts), EMBED_CHUNK):
            chunk = texts[first : first + EMBED_CHUNK]
            yield np.arange(first, first + len(chunk)), encoder.encode(chunk)
            report_progress("embed", first + len(chunk), len(texts))

    def dimension(self, model: str) -> int:
        return load_encoder(model).dimension


_WORK: contextvars.ContextVar[LocalWork | None] = contextvars.ContextVar("work", default=None)


@contextlib.contextmanager
def working_on(work):
    """Run the ingests inside this block's stages on `work` (e.g. a Ray cluster)."""
    token = _WORK.set(work)
    try:
        yield
    finally:
        _WORK.reset(token)


def current_work() -> LocalWork:
    return _WORK.get() or LocalWork()
