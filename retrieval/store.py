"""The persisted index: immutable generations under one atomically switched manifest.

Layout of index/ (no pickle anywhere; every file of a generation is checksummed in the manifest):
    manifest.json       the single pointer: format version, model, dimension, metric, chunking,
                        dense index choice, corpus fingerprint, the current generation and its
                        files' sha256 (and size + mtime of big files, checked at load instead)
    gen-000007/         one generation, never modified once the manifest points at it
        meta.sqlite     articles, source files, quotes, speakers (SQLite)
        passages.npy    one record per passage (id, article, start, end); row = lexical row
        sentences.npy   one record per sentence (id, passage row, start, end), passage order
        vectors.npy     the exact float32 sentence vectors, row i = sentence i; memory-mapped,
                        read for updates, exact search and highlighting, never loaded whole
        dense.faiss     only for big corpora: an IVF index (ids = sentence ids), memory-mapped;
                        small ones search the vectors exactly (see choose_dense)
        lexical/        bm25s index (numpy arrays + JSON); row i = passage row i
    .writer.lock        held (flock) by the one process allowed to write
A write builds gen-N+1 in a temporary folder, fsyncs every file, renames the folder, fsyncs
index/, then replaces manifest.json by an atomic rename (and fsyncs index/ again). A crash at
any point leaves the old manifest, hence the old generation, in charge. The previous generation
is kept so that readers that read the old manifest can still open its files.
Nothing per passage lives in Python objects once loaded: passages and sentences are numpy
records, and Passage / Sentence objects are made on demand (a 1M-passage index would otherwise
need several kB per passage of object overhead).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import mmap
import os
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from sys import intern

import numpy as np

from .config import INGEST, REBUILD, NewsqaError, Settings, env
from .dense import IVF_NPROBE, exact_index
from .documents import LOADER_VERSION, Document, SourceFile, corpus_fingerprint
from .encoders import sha256_file
from .lexical import LEXICAL
from .passages import SPLITTER_VERSION
from .quotes import QUOTES_VERSION, Quote
from .records import (
    PASSAGE_RECORD,
    SENTENCE_RECORD,
    Index,
    Passages,
    Sentences,
    merge_speakers,
    outside_articles,
)

FORMAT_VERSION = 3
METRIC = "inner_product"  # on L2-normalised vectors, i.e. cosine similarity
# Files above this size are checked by size + mtime when loading (the writer hashed them);
# smaller ones are hashed on every load. Hashing 3 GB of vectors would cost seconds per start.
HASH_AT_LOAD_MAX_BYTES = 64 << 20
LOCK_WAIT_SECONDS = 30
# Fault injection for the crash tests: the writer SIGKILLs itself at the N-th checkpoint.
CRASH_AT_ENV = "NEWSQA_CRASH_AT"


class IndexUnavailable(NewsqaError):
    """The index on disk is missing, stale, or damaged; the message says how to rebuild."""


# ---------------------------------------------------------------- writing a generation


def checkpoint(label: str) -> None:
    """A point where the crash tests may kill the writer (see CRASH_AT_ENV); free otherwise."""
    target = env(CRASH_AT_ENV)
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
        raise _write_error(index_dir, err) from err
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
        "index still answers. Free space or fix permissions",
        remedy=INGEST,
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
    except IndexUnavailable:  # being rebuilt over a damaged manifest
        previous = None
    number = _next_generation_number(folder, previous)
    generation = f"gen-{number:06d}"
    staging = Path(tempfile.mkdtemp(prefix=f".{generation}.tmp-", dir=folder))
    checkpoint("staging created")
    try:
        _write_sqlite(staging / "meta.sqlite", index)
        checkpoint("sqlite written")
        for name, array in (
            ("passages.npy", index.passages.records),
            ("sentences.npy", index.sentences.records),
            ("vectors.npy", index.vectors),
        ):
            with open(staging / name, "wb") as out:
                np.save(out, np.asarray(array), allow_pickle=False)
        checkpoint("arrays written")
        if manifest["dense_index"]["type"] != "exact":
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
        stats = {name: _stat(folder / name) for name in files}
        big = {name: stat for name, stat in stats.items() if stat[0] > HASH_AT_LOAD_MAX_BYTES}
        _fsync_dir(folder)
        checkpoint("index folder synced")
        manifest = dict(manifest, generation=generation, files=files, file_stats=big)
        if previous is not None:  # what a damaged current generation falls back to
            _write_last_good(folder, previous)
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
        raise _write_error(folder, err) from err
    except (RuntimeError, sqlite3.Error) as err:  # how FAISS and SQLite report I/O failures
        shutil.rmtree(staging, ignore_errors=True)
        full = "full" in str(err)
        code = errno.ENOSPC if full else errno.EIO
        raise _write_error(folder, OSError(code, str(err).splitlines()[0])) from err
    remove_stale_generations(folder, manifest, previous)
    checkpoint("cleaned up")
    return manifest


LAST_GOOD = "manifest.previous.json"  # the manifest of the generation before the current one


def _write_last_good(folder: Path, previous: dict) -> None:
    pending = folder / f".{LAST_GOOD}.tmp"
    pending.write_text(json.dumps(previous, indent=2) + "\n")
    _fsync_file(pending)
    os.replace(pending, folder / LAST_GOOD)


def load_last_good(settings: Settings) -> Index | None:
    """The generation before the current one, fully verified, or None when there is none
    (or it is damaged too). Its folder is kept on disk until the next switch."""
    try:
        manifest = json.loads((settings.index_dir / LAST_GOOD).read_text())
        return _load_generation(settings, manifest) if isinstance(manifest, dict) else None
    except (OSError, ValueError, RuntimeError, NewsqaError):
        return None


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


def generation_number(name: str | None) -> int:
    """7 for "gen-000007" (the order of generations); -1 for anything else."""
    text = str(name or "")
    return int(text[4:]) if text.startswith("gen-") and text[4:].isdigit() else -1


def _next_generation_number(folder: Path, manifest: dict | None) -> int:
    numbers = [generation_number(p.name) for p in folder.glob("gen-*")]
    if manifest:
        numbers.append(generation_number(manifest.get("generation")))
    return max(numbers, default=0) + 1


_SCHEMA = """
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, ord INTEGER, title TEXT, source TEXT,
                        text TEXT, meta TEXT);
CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT, doc_ids TEXT);
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


def _stat(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


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
        raise IndexUnavailable(
            f"the index manifest in {index_dir} is unreadable ({err.__class__.__name__})",
            remedy=REBUILD,
        ) from err
    if not isinstance(manifest, dict):
        raise IndexUnavailable(f"the index manifest in {index_dir} is damaged", remedy=REBUILD)
    return manifest


def chunking_settings(settings: Settings) -> dict:
    return {**settings.chunking(), "splitter_version": SPLITTER_VERSION}


def incompatible(manifest: dict | None, settings: Settings) -> list[str]:
    """Why the index on disk cannot be updated in place, only rebuilt (empty: compatible)."""
    if manifest is None:
        return [f"no index in {settings.store or settings.index_dir}"]
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
                raise IndexUnavailable(
                    f"a file of the index in {settings.index_dir} is {what}", remedy=REBUILD
                ) from err
    raise AssertionError("unreachable")


def _load_generation(settings: Settings, manifest: dict | None) -> Index:
    import bm25s
    import faiss

    folder = settings.index_dir
    if manifest is None:
        raise IndexUnavailable(f"no index in {folder}", remedy=INGEST)
    expected = {"format_version": FORMAT_VERSION, "metric": METRIC}
    for key, value in expected.items():
        if manifest.get(key) != value:
            raise IndexUnavailable(
                f"the index in {folder} has {key} {manifest.get(key)!r}, this newsqa reads "
                f"{value!r}",
                remedy=REBUILD,
            )
    if manifest.get("model") != settings.model:
        raise IndexUnavailable(
            f"the index in {folder} was built with model {manifest.get('model')!r}, but "
            f"{settings.model!r} is configured (or set NEWSQA_MODEL back)",
            remedy=REBUILD,
        )
    generation = folder / str(manifest.get("generation"))
    files = manifest.get("files") or {}
    if not files:
        raise IndexUnavailable(f"the index manifest in {folder} lists no files; rebuild it")
    stats = manifest.get("file_stats") or {}
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(path)
        if name in stats and _stat(path) == stats[name]:
            continue  # a big file the writer hashed, unchanged since (size and mtime)
        # FAISS trusts its input: never hand it a file that is not exactly what we wrote.
        if sha256_file(path) != digest:
            raise IndexUnavailable(
                f"index file {path} is damaged (checksum mismatch)", remedy=REBUILD
            )
    documents, quotes, files_, doc_speakers = _read_sqlite(generation / "meta.sqlite")
    try:
        passages = Passages(_load_records(generation / "passages.npy", PASSAGE_RECORD), documents)
        if outside_articles(passages.records, documents):
            raise ValueError("a passage lies outside its article")
        sentences = Sentences(
            _load_records(generation / "sentences.npy", SENTENCE_RECORD), len(passages)
        )
        vectors = _mapped(generation / "vectors.npy")
        if vectors.dtype != np.float32 or vectors.ndim != 2:
            raise ValueError(f"vectors are {vectors.dtype} {vectors.shape}")
    except ValueError as err:
        raise IndexUnavailable(
            f"the index arrays in {generation} are damaged ({err})", remedy=REBUILD
        ) from err
    if vectors.shape != (len(sentences), manifest.get("dimension")):
        raise IndexUnavailable(
            f"dense index in {generation} has {vectors.shape[0]}x{vectors.shape[1]} vectors, "
            f"expected {len(sentences)}x{manifest.get('dimension')}",
            remedy=REBUILD,
        )
    spec = manifest.get("dense_index") or {}
    if spec.get("type") == "exact" or settings.exact_search:
        dense = exact_index(np.asarray(vectors), sentences.ids)
    elif spec.get("type") == "ivf":
        # Memory-mapped without copying: the lists stay in the page cache, shared and paged on
        # demand. (IO_FLAG_MMAP maps them as OnDiskInvertedLists, which searched 10x slower
        # here: 3.8 ms against 0.4 ms at 210k vectors; IO_FLAG_MMAP_IFC maps them as arrays.)
        dense = faiss.read_index(str(generation / "dense.faiss"), faiss.IO_FLAG_MMAP_IFC)
        # Probes are this code's search setting (dense.IVF_NPROBE), not the build's: an index
        # built with fewer is searched as well as a new one.
        faiss.extract_index_ivf(dense).nprobe = IVF_NPROBE
    else:
        raise IndexUnavailable(
            f"the index in {folder} has an unknown dense index {spec!r}", remedy=REBUILD
        )
    with _NPY_LOCK:  # (its arrays are .npy files too)
        lexical = bm25s.BM25.load(str(generation / "lexical"), mmap=True, show_progress=False)
    # What every question reads (IVF lists, BM25 postings) is read ahead into the page cache
    # now, not faulted in page by page by the first questions. The exact vectors are read a
    # few rows per question: no read-ahead around them (it would pull in the whole file).
    for path in [generation / "dense.faiss", *(generation / "lexical").glob("*.npy")]:
        _read_ahead(path)
    if hasattr(getattr(vectors, "_mmap", None), "madvise"):
        vectors._mmap.madvise(mmap.MADV_RANDOM)
    index = Index(
        settings, manifest, documents, passages, sentences, vectors, dense, lexical, quotes,
        merge_speakers(doc_speakers, documents), files_, doc_speakers,
    )  # fmt: skip
    if dense.d != manifest.get("dimension") or dense.ntotal != len(sentences):
        raise IndexUnavailable(
            f"dense index in {generation} has {dense.ntotal}x{dense.d} vectors, expected "
            f"{len(sentences)}x{manifest.get('dimension')}",
            remedy=REBUILD,
        )
    return index


def _read_ahead(path: Path) -> None:
    if path.is_file() and hasattr(os, "posix_fadvise"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)  # asynchronous
        finally:
            os.close(fd)


# np.load parses each file's header with ast.literal_eval, and CPython 3.11.7's parser is not
# thread-safe ("SystemError: AST constructor recursion depth mismatch", CPython gh-106905):
# readers loading generations side by side hit it. One header parse at a time.
_NPY_LOCK = threading.Lock()


def _mapped(path: Path) -> np.ndarray:
    with _NPY_LOCK:
        return _plain(np.load(path, mmap_mode="r", allow_pickle=False))


def _load_records(path: Path, dtype: np.dtype) -> np.ndarray:
    if not path.is_file():
        raise FileNotFoundError(path)
    records = _mapped(path)
    if records.dtype != dtype or records.ndim != 1:
        raise ValueError(f"{path.name} holds {records.dtype}, expected {dtype}")
    return records


def _plain(mapped: np.ndarray) -> np.ndarray:
    """The same mapped memory as a plain ndarray: every index into an np.memmap builds another
    memmap object (its __getitem__ and __array_finalize__ were ~11% of a served answer's
    samples at 20 clients); a plain view reads the same pages without that."""
    return np.asarray(mapped)


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
        # Names, roles and kinds repeat across many quotes: one string object each.
        quotes = [
            Quote(
                _shared(speaker),
                _shared(role),
                documents[doc_id].text[start:end],
                start,
                end,
                _shared(kind),
                _shared(how),
                doc_id,
            )  # fmt: skip
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
        raise IndexUnavailable(
            f"the index metadata {path} is damaged ({err})", remedy=REBUILD
        ) from err
    finally:
        db.close()
    return documents, quotes, files, doc_speakers


def _shared(text: str | None) -> str | None:
    return None if text is None else intern(text)
