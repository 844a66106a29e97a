"""What an index holds once loaded: passages, sentences and the Index that answers questions.

Nothing per passage lives in Python objects: passages and sentences are numpy records, and
Passage / Sentence objects are made on demand (a 1M-passage index would otherwise need several
kB per passage of object overhead). Reading and writing them on disk is store.py's job.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .config import Settings
from .documents import Document, SourceFile
from .passages import Passage, Sentence
from .quotes import Quote
from .search import EmbeddedSearch

PASSAGE_RECORD = np.dtype(
    [("passage_id", "<i8"), ("doc", "<i4"), ("start", "<i8"), ("end", "<i8")]
)  # doc = the article's position in the documents table
SENTENCE_RECORD = np.dtype(
    [("sentence_id", "<i8"), ("row", "<i4"), ("start", "<i8"), ("end", "<i8")]
)  # row = the passage's row


class Passages(Sequence):
    """Passage records; passages[row] makes the Passage (its text sliced from the article)."""

    def __init__(self, records: np.ndarray, documents: dict[str, Document]):
        self.records = records
        self.documents = documents
        self.doc_ids = list(documents)  # position -> doc id (the records' `doc`)
        self.position = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        # An article's passages are consecutive rows in start order: bounds[i]..bounds[i+1].
        doc = np.asarray(records["doc"])
        if len(doc) and (np.any(np.diff(doc) < 0) or doc[-1] >= len(self.doc_ids)):
            raise ValueError("passage records are not grouped by article")
        self.bounds = np.searchsorted(doc, np.arange(len(self.doc_ids) + 1))
        self.starts = np.ascontiguousarray(records["start"])

    @classmethod
    def build(cls, passages: list[Passage], documents: dict[str, Document]) -> Passages:
        position = {doc_id: i for i, doc_id in enumerate(documents)}
        records = np.array(
            [(p.passage_id, position[p.doc_id], p.start, p.end) for p in passages],
            dtype=PASSAGE_RECORD,
        )
        return cls(records, documents)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, row: int) -> Passage:
        passage_id, doc, start, end = self.records[row].tolist()
        doc_id = self.doc_ids[doc]
        return Passage(passage_id, doc_id, start, end, self.documents[doc_id].text[start:end])

    def doc_of(self, row: int) -> str:
        return self.doc_ids[int(self.records["doc"][row])]

    def rows_of(self, doc_id: str) -> range:
        """The rows of an article's passages, in reading order (empty for unknown ids)."""
        i = self.position.get(doc_id)
        return range(0) if i is None else range(int(self.bounds[i]), int(self.bounds[i + 1]))

    def row_containing(self, doc_id: str, offset: int) -> int | None:
        """The passage of an article whose span holds `offset`: of overlapping ones, the one
        that starts last at or before it."""
        rows = self.rows_of(doc_id)
        i = int(np.searchsorted(self.starts[rows.start : rows.stop], offset, "right")) - 1
        if i < 0:
            return None
        row = rows.start + i
        return row if offset < int(self.records["end"][row]) else None

    def row_at(self, doc_id: str, start: int) -> int | None:
        """The row of the passage of that article starting at `start`."""
        row = self.row_containing(doc_id, start)
        return row if row is not None and int(self.starts[row]) == start else None


def outside_articles(records: np.ndarray, documents: dict[str, Document]) -> bool:
    """Does any passage record lie outside its article's text (empty, negative or past the
    end)? What every store checks at load: citations are sliced from these offsets."""
    if not len(records):
        return False
    lengths = np.array([len(doc.text) for doc in documents.values()], dtype=np.int64)
    return not (
        np.all(records["start"] >= 0)
        and np.all(records["start"] < records["end"])
        and np.all(records["end"] <= lengths[records["doc"]])
    )


class Sentences(Sequence):
    """Sentence records in passage order; row i is vector i. Ids are FAISS ids (stable)."""

    def __init__(self, records: np.ndarray, passages: int):
        self.records = records
        self.ids = np.ascontiguousarray(records["sentence_id"])
        self.rows = np.ascontiguousarray(records["row"])
        if len(self.rows) and np.any(np.diff(self.rows) < 0):
            raise ValueError("sentence records are not in passage order")
        self.bounds = np.searchsorted(self.rows, np.arange(passages + 1))
        self._order: np.ndarray | None = None

    @classmethod
    def build(cls, sentences: list[Sentence], passages: int) -> Sentences:
        records = np.array(
            [(s.sentence_id, s.row, s.start, s.end) for s in sentences], dtype=SENTENCE_RECORD
        )
        return cls(records, passages)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int) -> Sentence:
        return Sentence(*self.records[i].tolist())

    def of_row(self, row: int) -> list[Sentence]:
        return [self[i] for i in range(int(self.bounds[row]), int(self.bounds[row + 1]))]

    def positions(self, sentence_ids) -> np.ndarray:
        """Positions (= vector rows) of sentence ids; -1 for ids not in this index."""
        if self._order is None:
            self._order = np.argsort(self.ids, kind="stable")
        ids = np.asarray(sentence_ids, dtype=np.int64)
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        found = np.searchsorted(self.ids, ids, sorter=self._order)
        found = np.minimum(found, len(self.ids) - 1)
        positions = self._order[found]
        return np.where(self.ids[positions] == ids, positions, -1)


@dataclass
class Index:
    settings: Settings
    manifest: dict
    documents: dict[str, Document]
    passages: Passages  # row order of the lexical index
    sentences: Sentences  # vector order
    vectors: np.ndarray  # (sentences, dimension) float32, exact; memory-mapped when loaded
    dense: object  # faiss index over sentence vectors, labels = sentence ids
    lexical: object  # bm25s.BM25 over passages
    quotes: list[Quote] = field(default_factory=list)  # every attributed quote, document order
    speakers: dict[str, list[str]] = field(default_factory=dict)  # canonical name -> roles
    files: dict[str, SourceFile] = field(default_factory=dict)  # corpus path -> what it gave
    doc_speakers: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # per article
    query_encoder: object | None = None  # None: the default below (benchmarks set torch)
    # What searches it (backend.Search): None = the embedded FAISS + bm25s fields above.
    search: object | None = None

    @property
    def searcher(self):
        # Made per use, not kept: a searcher that the index held would point back at it, and
        # the cycle would keep every replaced generation alive until a full garbage collection.
        return self.search if self.search is not None else EmbeddedSearch(self)

    @property
    def encoder(self):
        """Encodes questions (ONNX when exported and verified, else torch)."""
        if self.query_encoder is not None:
            return self.query_encoder
        from .encoders import load_query_encoder  # the default: storage does not load models

        return load_query_encoder(self.manifest["model"])

    @property
    def generation(self) -> str:
        return self.manifest["generation"]

    def sentence_vectors(self, sentence_ids) -> np.ndarray:
        """The exact vectors of these sentences (zeros for unknown ids), from the store."""
        return self.searcher.vectors(sentence_ids)

    def stored_vectors(self, sentence_ids) -> np.ndarray:
        """sentence_vectors of the embedded store: rows of the memory-mapped vectors."""
        positions = self.sentences.positions(sentence_ids)
        out = np.zeros((len(positions), self.vectors.shape[1]), dtype=np.float32)
        known = positions >= 0
        if known.any():
            order = np.argsort(positions[known])  # sorted reads of the memory map
            picked = np.asarray(self.vectors[positions[known][order]])
            rows = np.flatnonzero(known)[order]
            out[rows] = picked
        return out

    @functools.cached_property
    def quotes_by_speaker(self) -> dict[str, list[Quote]]:
        by_speaker: dict[str, list[Quote]] = {}
        for quote in self.quotes:
            if quote.speaker is not None:  # unattributed: nobody's words, for any question
                by_speaker.setdefault(quote.speaker, []).append(quote)
        return by_speaker


def merge_speakers(
    doc_speakers: dict[str, dict[str, list[str]]], documents: dict[str, Document]
) -> dict[str, list[str]]:
    """Canonical speaker -> every role seen with them, across the corpus (articles in order)."""
    merged: dict[str, list[str]] = {}
    for doc_id in documents:
        for name, roles in doc_speakers.get(doc_id, {}).items():
            known = merged.setdefault(name, [])
            known.extend(role for role in roles if role not in known)
    return dict(sorted(merged.items()))
