"""The persisted index: immutable generations under one atomically switched manifest.

Layout of index/ (no pickle anywhere; every file of a generation is checksummed in the manifest):
    manifest.json       the single pointer: format version, model, dimension, metric, chunking,
                        corpus fingerprint, the current generation and its files' sha256
    gen-000007/         one generation, never modified once the manifest points at it
        meta.sqlite     articles, source files, passages, quotes, speakers (SQLite)
        dense.faiss     IndexIDMap2(IndexFlatIP): one normalised vector per sentence; sentence
                        spans are re-derived from passages on load, never stored twice
        lexical/        bm25s index (numpy arrays + JSON); row i = passage row i
    .writer.lock        held (flock) by the one process allowed to write
A write builds gen-N+1 in a temporary folder, fsyncs every file, renames the folder, fsyncs
index/, then replaces manifest.json by an atomic rename (and fsyncs index/ again). A crash at
any point leaves the old manifest, hence the old generation, in charge. The previous generation
is kept so that readers that read the old manifest can still open its files.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import json
import os
import shutil
import signal
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .config import NewsqaError, Settings
from .documents import LOADER_VERSION, Document, corpus_fingerprint
from .embedding import load_query_encoder, sha256_file
from .passages import SPLITTER_VERSION, Passage, Sentence, check_offsets, split_sentences
from .quotes import QUOTES_VERSION, Quote

FORMAT_VERSION = 2
METRIC = "inner_product"  # on L2-normalised vectors, i.e. cosine similarity
DENSE_INDEX = "IndexIDMap2(IndexFlatIP)"
# bm25s's "en_plus" list (NLTK's) drops question words (what, did, about) that "en" keeps.
STOPWORDS = "en_plus"
# What shapes lexical tokens; recorded in the manifest so a change forces a rebuild.
LEXICAL = {"library": "bm25s", "stopwords": STOPWORDS, "stemmer": "snowball-english+irregular-v1"}
LOCK_WAIT_SECONDS = 30
# Fault injection for the crash tests: the writer SIGKILLs itself at the N-th checkpoint.
CRASH_AT_ENV = "NEWSQA_CRASH_AT"


class IndexError_(NewsqaError):
    """The index on disk is missing, stale, or damaged; the message says how to rebuild."""


@dataclass(frozen=True)
class SourceFile:
    """A corpus file as last indexed: its bytes' hash and the articles it yielded."""

    path: str  # relative to the corpus folder
    sha256: str
    doc_ids: tuple[str, ...]


@dataclass
class Index:
    settings: Settings
    manifest: dict
    documents: dict[str, Document]
    passages: list[Passage]  # row order of the lexical index
    dense: object  # faiss.Index over sentences
    lexical: object  # bm25s.BM25 over passages
    quotes: list[Quote] = field(default_factory=list)  # every attributed quote, document order
    speakers: dict[str, list[str]] = field(default_factory=dict)  # canonical name -> roles
    files: dict[str, SourceFile] = field(default_factory=dict)  # corpus path -> what it gave
    doc_speakers: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # per article
    sentences: list[Sentence] = field(default_factory=list)
    sentence_at: dict[int, Sentence] = field(default_factory=dict)  # FAISS id -> sentence
    sentences_of_row: dict[int, list[Sentence]] = field(default_factory=dict)
    row_of: dict[tuple[str, int], int] = field(default_factory=dict)  # (doc_id, start) -> row
    passage_starts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # sorted

    def __post_init__(self):
        for row, passage in enumerate(self.passages):
            self.row_of[(passage.doc_id, passage.start)] = row
            self.passage_starts.setdefault(passage.doc_id, []).append((passage.start, row))
        for starts in self.passage_starts.values():
            starts.sort()
        self.sentences = split_sentences(self.passages)
        self.sentence_at = {s.sentence_id: s for s in self.sentences}
        for sentence in self.sentences:
            self.sentences_of_row.setdefault(sentence.row, []).append(sentence)

    @property
    def encoder(self):
        """Encodes questions (ONNX when exported and verified, else torch)."""
        return load_query_encoder(self.manifest["model"])

    @property
    def generation(self) -> str:
        return self.manifest["generation"]


# ---------------------------------------------------------------- lexical tokenization


@functools.cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


# Irregular forms the Snowball stemmer leaves alone, mapped to their stems so that
# "what did X say?" matches "X said" and "who told" matches "tells" (news is mostly past tense).
IRREGULAR_STEMS = {
    "said": "say", "told": "tell", "spoke": "speak", "spoken": "speak", "thought": "think",
    "wrote": "write", "written": "write", "gave": "give", "given": "give", "met": "meet",
    "sought": "seek", "began": "begin", "begun": "begin", "won": "win", "led": "lead",
}  # fmt: skip


def _stem_words(words: list[str]) -> list[str]:
    return [
        IRREGULAR_STEMS.get(w) or s for w, s in zip(words, _stemmer().stemWords(words), strict=True)
    ]


def tokenize(texts: list[str]) -> list[list[str]]:
    """The one tokenizer for BM25 and for matching question words to sentences."""
    import bm25s

    return bm25s.tokenize(
        texts, stopwords=STOPWORDS, stemmer=_stem_words, return_ids=False, show_progress=False
    )


# ---------------------------------------------------------------- writing a generation


def checkpoint(label: str) -> None:
    """A point where the crash tests may kill the writer (see CRASH_AT_ENV); free otherwise."""
    target = os.environ.get(CRASH_AT_ENV)
    if target is None:
        return
    checkpoint.count = getattr(checkpoint, "count", 0) + 1
    if checkpoint.count == int(target):
        os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def writer_lock(index_dir: Path, wait: float | None = None) -> Iterator[None]:
    """One writer at a time; a second one waits up to `wait` seconds, then fails clearly."""
    wait = LOCK_WAIT_SECONDS if wait is None else wait
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / ".writer.lock", "a+")  # noqa: SIM115 - held for the block
    except OSError as err:
        raise _write_error(index_dir, err) from None
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise NewsqaError(
                        f"another newsqa process is updating the index in {index_dir}; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        handle.close()  # releases the lock


def _write_error(index_dir: Path, err: OSError) -> NewsqaError:
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        why = "the index folder is read-only"
    elif err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        why = "the disk is full (or the file size limit was reached)"
    elif err.errno == errno.EIO:
        why = f"a write failed ({err.strerror}; is the disk full or failing?)"
    else:
        why = f"{err.strerror or err}"
    return NewsqaError(
        f"could not write the index in {index_dir}: {why}. Nothing was changed; the previous "
        "index still answers. Free space or fix permissions, then run `newsqa ingest`"
    )


def write_generation(
    settings: Settings,
    manifest: dict,
    index: Index,
) -> dict:
    """Persist `index` as a new generation and switch the manifest to it. Caller holds the lock.

    Returns the manifest that is now current.
    """
    import faiss

    folder = settings.index_dir
    try:
        previous = read_manifest(folder)
    except IndexError_:  # being rebuilt over a damaged manifest
        previous = None
    number = _next_generation_number(folder, previous)
    generation = f"gen-{number:06d}"
    staging = Path(tempfile.mkdtemp(prefix=f".{generation}.tmp-", dir=folder))
    checkpoint("staging created")
    try:
        _write_sqlite(staging / "meta.sqlite", index)
        checkpoint("sqlite written")
        faiss.write_index(index.dense, str(staging / "dense.faiss"))
        checkpoint("faiss written")
        index.lexical.save(str(staging / "lexical"), show_progress=False)
        checkpoint("lexical written")
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                _fsync_file(path)
                checkpoint(f"fsync {path.name}")
        _fsync_dir(staging / "lexical")
        checkpoint("lexical folder synced")
        _fsync_dir(staging)
        checkpoint("staging synced")
        files = {f"{generation}/{rel}": digest for rel, digest in _checksums(staging).items()}
        checkpoint("checksummed")
        os.rename(staging, folder / generation)
        checkpoint("generation renamed")
        _fsync_dir(folder)
        checkpoint("index folder synced")
        manifest = dict(manifest, generation=generation, files=files)
        pending = folder / ".manifest.json.tmp"
        pending.write_text(json.dumps(manifest, indent=2) + "\n")
        checkpoint("manifest written")
        _fsync_file(pending)
        checkpoint("manifest synced")
        os.replace(pending, folder / "manifest.json")  # the switch: atomic on POSIX
        checkpoint("manifest switched")
        _fsync_dir(folder)
        checkpoint("switch synced")
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise _write_error(folder, err) from None
    except (RuntimeError, sqlite3.Error) as err:  # how FAISS and SQLite report I/O failures
        shutil.rmtree(staging, ignore_errors=True)
        full = "full" in str(err)
        code = errno.ENOSPC if full else errno.EIO
        raise _write_error(folder, OSError(code, str(err).splitlines()[0])) from None
    remove_stale_generations(folder, manifest, previous)
    checkpoint("cleaned up")
    return manifest


def remove_stale_generations(folder: Path, manifest: dict, previous: dict | None) -> None:
    """Keep the current generation and the one the previous manifest named (readers that read
    it may still be opening its files); drop every other one, and unfinished builds."""
    keep = {manifest.get("generation"), (previous or {}).get("generation")}
    for path in folder.glob("gen-*"):
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    for leftover in folder.glob(".gen-*.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    (folder / ".manifest.json.tmp").unlink(missing_ok=True)


def _next_generation_number(folder: Path, manifest: dict | None) -> int:
    numbers = [int(p.name.split("-")[1]) for p in folder.glob("gen-*") if p.name[4:].isdigit()]
    if manifest and str(manifest.get("generation", "")).startswith("gen-"):
        numbers.append(int(manifest["generation"].split("-")[1]))
    return max(numbers, default=0) + 1


_SCHEMA = """
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, ord INTEGER, title TEXT, source TEXT,
                        text TEXT, meta TEXT);
CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT, doc_ids TEXT);
CREATE TABLE passages (row INTEGER PRIMARY KEY, passage_id INTEGER UNIQUE, doc_id TEXT,
                       start INTEGER, "end" INTEGER);
CREATE TABLE quotes (ord INTEGER PRIMARY KEY, doc_id TEXT, speaker TEXT, role TEXT,
                     start INTEGER, "end" INTEGER, kind TEXT, attribution TEXT);
CREATE TABLE doc_speakers (doc_id TEXT, name TEXT, roles TEXT);
"""


def _write_sqlite(path: Path, index: Index) -> None:
    db = sqlite3.connect(path)
    try:
        with db:
            db.executescript(_SCHEMA)
            checkpoint("schema created")
            db.executemany(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                [(d.doc_id, i, d.title, d.source, d.text, json.dumps(d.meta))
                 for i, d in enumerate(index.documents.values())],
            )  # fmt: skip
            db.executemany(
                "INSERT INTO files VALUES (?, ?, ?)",
                [(f.path, f.sha256, json.dumps(f.doc_ids)) for f in index.files.values()],
            )
            db.executemany(
                "INSERT INTO passages VALUES (?, ?, ?, ?, ?)",
                [(row, p.passage_id, p.doc_id, p.start, p.end)
                 for row, p in enumerate(index.passages)],
            )  # fmt: skip
            db.executemany(
                "INSERT INTO quotes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(i, q.doc_id, q.speaker, q.role, q.start, q.end, q.kind, q.attribution)
                 for i, q in enumerate(index.quotes)],
            )  # fmt: skip
            db.executemany(
                "INSERT INTO doc_speakers VALUES (?, ?, ?)",
                [(doc_id, name, json.dumps(roles))
                 for doc_id, people in index.doc_speakers.items()
                 for name, roles in people.items()],
            )  # fmt: skip
    finally:
        db.close()


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _checksums(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): sha256_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# ---------------------------------------------------------------- reading


def read_manifest(index_dir: Path) -> dict | None:
    try:
        manifest = json.loads((index_dir / "manifest.json").read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise IndexError_(
            f"the index manifest in {index_dir} is unreadable ({err.__class__.__name__}); "
            "rebuild it with `newsqa ingest --rebuild`"
        ) from None
    if not isinstance(manifest, dict):
        raise IndexError_(
            f"the index manifest in {index_dir} is damaged; rebuild it with "
            "`newsqa ingest --rebuild`"
        )
    return manifest


def chunking_settings(settings: Settings) -> dict:
    return {**settings.chunking(), "splitter_version": SPLITTER_VERSION}


def incompatible(manifest: dict | None, settings: Settings) -> list[str]:
    """Why the index on disk cannot be updated in place, only rebuilt (empty: compatible)."""
    if manifest is None:
        return [f"no index in {settings.index_dir}"]
    reasons = []
    if manifest.get("format_version") != FORMAT_VERSION:
        reasons.append(f"index format {manifest.get('format_version')} != {FORMAT_VERSION}")
    if manifest.get("model") != settings.model:
        reasons.append(f"model changed ({manifest.get('model')} -> {settings.model})")
    if manifest.get("quotes_version") != QUOTES_VERSION:
        reasons.append("quote extraction changed")
    if manifest.get("loader_version") != LOADER_VERSION:
        reasons.append("article loading changed")
    if manifest.get("lexical") != LEXICAL:
        reasons.append("lexical tokenization changed")
    if manifest.get("chunking") != chunking_settings(settings):
        reasons.append("chunking settings changed")
    return reasons


def stale_reasons(manifest: dict | None, settings: Settings) -> list[str]:
    """Why the index does not describe this corpus with these settings (empty: fresh)."""
    reasons = incompatible(manifest, settings)
    if manifest is not None and manifest.get("corpus_fingerprint") != corpus_fingerprint(
        settings.corpus_dir
    ):
        reasons.append(f"the articles in {settings.corpus_dir} changed")
    return reasons


def load_index(settings: Settings, attempts: int = 3) -> Index:
    """Load the current generation after checking every file against the manifest.

    A writer may switch generations while we read; if a file vanished because the manifest
    moved on, read the new manifest and try again.
    """
    for attempt in range(attempts):
        manifest = read_manifest(settings.index_dir)
        try:
            return _load_generation(settings, manifest)
        except (FileNotFoundError, RuntimeError) as err:  # FAISS: RuntimeError on a lost file
            if attempt == attempts - 1 or read_manifest(settings.index_dir) == manifest:
                what = "missing" if isinstance(err, FileNotFoundError) else "unreadable"
                raise IndexError_(
                    f"a file of the index in {settings.index_dir} is {what}; rebuild it with "
                    "`newsqa ingest --rebuild`"
                ) from None
    raise AssertionError("unreachable")


def _load_generation(settings: Settings, manifest: dict | None) -> Index:
    import bm25s
    import faiss

    folder = settings.index_dir
    if manifest is None:
        raise IndexError_(f"no index in {folder}; build it with `newsqa ingest`")
    expected = {"format_version": FORMAT_VERSION, "metric": METRIC, "dense_index": DENSE_INDEX}
    for key, value in expected.items():
        if manifest.get(key) != value:
            raise IndexError_(
                f"the index in {folder} has {key} {manifest.get(key)!r}, this newsqa reads "
                f"{value!r}; rebuild it with `newsqa ingest --rebuild`"
            )
    if manifest.get("model") != settings.model:
        raise IndexError_(
            f"the index in {folder} was built with model {manifest.get('model')!r}, but "
            f"{settings.model!r} is configured; rebuild it with `newsqa ingest --rebuild` "
            "or set NEWSQA_MODEL back"
        )
    generation = folder / str(manifest.get("generation"))
    files = manifest.get("files") or {}
    if not files:
        raise IndexError_(f"the index manifest in {folder} lists no files; rebuild it")
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(path)
        # FAISS trusts its input: never hand it a file that is not exactly what we wrote.
        if sha256_file(path) != digest:
            raise IndexError_(
                f"index file {path} is damaged (checksum mismatch); "
                "rebuild it with `newsqa ingest --rebuild`"
            )
    documents, passages, quotes, files_, doc_speakers = _read_sqlite(generation / "meta.sqlite")
    dense = faiss.read_index(str(generation / "dense.faiss"))
    lexical = bm25s.BM25.load(str(generation / "lexical"), mmap=True, show_progress=False)
    index = Index(
        settings, manifest, documents, passages, dense, lexical, quotes,
        merge_speakers(doc_speakers, documents), files_, doc_speakers,
    )  # fmt: skip
    if dense.d != manifest.get("dimension") or dense.ntotal != len(index.sentences):
        raise IndexError_(
            f"dense index in {generation} has {dense.ntotal}x{dense.d} vectors, expected "
            f"{len(index.sentences)}x{manifest.get('dimension')}; "
            "rebuild it with `newsqa ingest --rebuild`"
        )
    return index


def _read_sqlite(path: Path):
    if not path.is_file():
        raise FileNotFoundError(path)
    # immutable=1: no locks or journal, so a read-only index folder works.
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        documents = {}
        for doc_id, title, source, text, meta in db.execute(
            "SELECT doc_id, title, source, text, meta FROM documents ORDER BY ord"
        ):
            documents[doc_id] = Document(doc_id, title, source, text, json.loads(meta))
        passages = []
        for passage_id, doc_id, start, end in db.execute(
            'SELECT passage_id, doc_id, start, "end" FROM passages ORDER BY row'
        ):
            passage = Passage(passage_id, doc_id, start, end, documents[doc_id].text[start:end])
            check_offsets(documents[doc_id], passage)
            passages.append(passage)
        quotes = [
            Quote(speaker, role, documents[doc_id].text[start:end], start, end, kind, how, doc_id)
            for doc_id, speaker, role, start, end, kind, how in db.execute(
                'SELECT doc_id, speaker, role, start, "end", kind, attribution FROM quotes '
                "ORDER BY ord"
            )
        ]
        files = {
            path: SourceFile(path, digest, tuple(json.loads(ids)))
            for path, digest, ids in db.execute("SELECT path, sha256, doc_ids FROM files")
        }
        doc_speakers: dict[str, dict[str, list[str]]] = {}
        for doc_id, name, roles in db.execute("SELECT doc_id, name, roles FROM doc_speakers"):
            doc_speakers.setdefault(doc_id, {})[name] = json.loads(roles)
    except (sqlite3.Error, KeyError, ValueError) as err:
        raise IndexError_(
            f"the index metadata {path} is damaged ({err}); rebuild with `newsqa ingest --rebuild`"
        ) from None
    finally:
        db.close()
    return documents, passages, quotes, files, doc_speakers


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
