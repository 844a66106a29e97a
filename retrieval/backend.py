"""The store interface: what the answer layer and the writer ask of wherever an index lives.

Two stores implement it, chosen by one setting (`--store` / NEWSQA_STORE):
- the embedded store (default): files under index/, FAISS over sentence vectors and bm25s over
  passages, memory-mapped (store.py; the search side is search.EmbeddedSearch);
- Milvus (`milvus:///abs/path.db` for Milvus Lite, `http://host:19530` for a server or
  cluster): the same records as collections, searched by Milvus (milvus.py).

Whatever the store, a loaded `Index` holds the articles, the passage and sentence records and
the quotes (what citations are sliced from); its `searcher` does the searching. Rows are always
the loaded index's passage rows, so hits cite `index.documents[doc].text[start:end]` exactly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol

import numpy as np

from .config import NewsqaError, Settings

# A store URL names Milvus; anything else (unset) is the embedded store in Settings.index_dir.
MILVUS_SCHEMES = ("milvus://", "http://", "https://", "tcp://")


class Search(Protocol):
    """Searches of one loaded generation; every result is [(passage row, score)] best first."""

    def dense(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top k passages by their best sentence's cosine with the question."""

    def dense_within(
        self, query_vector: np.ndarray, rows: list[int], k: int
    ) -> list[tuple[int, float]]:
        """`dense`, only over these passage rows (an article, source or date filter)."""

    def lexical(self, terms: list[str], k: int) -> list[tuple[int, float]]:
        """BM25 top k for these (tokenized) terms; passages sharing none are left out."""

    def lexical_within(
        self, terms: list[str], doc_ids: set[str], k: int
    ) -> list[tuple[int, float]]:
        """`lexical`, only over these articles' passages."""

    def vectors(self, sentence_ids) -> np.ndarray:
        """The exact stored vectors of these sentences (zeros for unknown ids)."""

    def idf(self) -> tuple[dict[str, int], np.ndarray]:
        """term -> column, and each column's BM25 idf over the loaded passages."""


class Store(Protocol):
    """Where generations are written and read. A generation is one whole, consistent index;
    `version` orders them (a server reloads when it grows)."""

    location: str  # for messages: a folder or a URL (never a token)
    builds_faiss: bool  # does the writer need FAISS and bm25s structures of its own

    def manifest(self) -> dict | None:
        """The current generation's manifest (None: nothing written yet)."""

    def version(self, manifest: dict | None) -> tuple[int, int]:
        """(generation number, changes applied to it): larger is newer."""

    def load(self, settings: Settings):
        """The current generation as an Index (IndexUnavailable when it cannot be read)."""

    def load_last_good(self, settings: Settings):
        """The generation before the current one, or None."""

    def write(self, settings: Settings, manifest: dict, index, current) -> dict:
        """Make `index` current (from `current`, the index it was updated from, or None);
        returns the manifest now current. Caller holds `lock()`."""

    def lock(self, wait: float | None = None) -> contextlib.AbstractContextManager:
        """One writer at a time."""


class EmbeddedStore:
    """Files under settings.index_dir (store.py)."""

    builds_faiss = True

    def __init__(self, settings: Settings) -> None:
        self.folder = settings.index_dir
        self.location = str(settings.index_dir)

    def manifest(self) -> dict | None:
        from .store import read_manifest

        return read_manifest(self.folder)

    def version(self, manifest):
        from .store import generation_number

        return (generation_number((manifest or {}).get("generation")), 0)

    def load(self, settings):
        from .store import load_index

        return load_index(settings)

    def load_last_good(self, settings):
        from .store import load_last_good

        return load_last_good(settings)

    def write(self, settings, manifest, index, current):
        from .store import write_generation

        return write_generation(settings, manifest, index)

    @contextlib.contextmanager
    def lock(self, wait: float | None = None) -> Iterator[None]:
        from .store import writer_lock

        with writer_lock(self.folder, wait):
            yield


def is_milvus(url: str | None) -> bool:
    return bool(url) and str(url).startswith(MILVUS_SCHEMES)


def open_store(settings: Settings) -> Store:
    """The store the settings name: Milvus for a Milvus URL, else the embedded index folder."""
    url = settings.store
    if not url:
        return EmbeddedStore(settings)
    if not is_milvus(url):
        raise NewsqaError(
            f"NEWSQA_STORE / --store {url!r} is not a store newsqa knows: use "
            "milvus:///absolute/path/newsqa.db (Milvus Lite) or http://host:19530 (a Milvus "
            "server), or leave it unset for the index folder"
        )
    from .milvus import MilvusStore

    return MilvusStore(settings)


def load_index(settings: Settings):
    """The current generation of the settings' store, as an Index."""
    return open_store(settings).load(settings)
