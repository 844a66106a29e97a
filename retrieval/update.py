"""Changing the index: full builds and incremental updates, each written as a new generation.

corpus/ is the source of truth. `add` copies files into it, `remove` moves files out of it into
corpus/.removed/ (nothing is deleted), and both then `sync`: files whose bytes are unchanged
keep their articles, passages, quotes and sentence vectors; only new or changed files are
split, embedded and scanned for quotes. BM25 is re-indexed over all passages (bm25s has no
incremental update; it costs 0.35 s per 10k passages, far less than embedding).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .backend import open_store
from .bm25 import warm as warm_bm25
from .config import INGEST, LIST, NewsqaError, Notice, Settings
from .dense import build_ivf, choose_dense, exact_index
from .documents import (
    LOADER_VERSION,
    SUPPORTED_SUFFIXES,
    Document,
    corpus_fingerprint,
    dedupe_key,
    parse_file,
    scan_corpus,
    size_problem,
)
from .encoders import ensure_export, sha256_file
from .lexical import LEXICAL, tokenize
from .passages import recurring_lines, split_sentences
from .quotes import QUOTES_VERSION
from .records import Index, Passages, Sentences, merge_speakers
from .stages import current_work, report_progress
from .store import (
    FORMAT_VERSION,
    METRIC,
    IndexUnavailable,
    _fsync_dir,
    checkpoint,
    chunking_settings,
    incompatible,
    stale_reasons,
)

Log = Callable[[str], None]
MAX_WARNINGS_SHOWN = 20  # skipped files and records logged one by one; the rest counted


REMOVED_DIR = ".removed"  # hidden: the loader skips it; removed articles stay restorable
UPLOAD_DIR = "uploads"


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)  # sources of new articles
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    generation: str | None = None  # the generation written; None when nothing changed
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per ingest stage

    def summary(self) -> str:
        if self.generation is None:
            return f"index unchanged ({self.unchanged} articles)"
        return (
            f"{len(self.added)} added, {len(self.removed)} removed, {self.unchanged} unchanged "
            f"-> {self.generation} in {self.seconds:.1f}s"
        )


# ---------------------------------------------------------------- entry points


def build_index(settings: Settings, log: Log = lambda _: None) -> Index:
    """Build the whole index from the corpus (embedding everything) as a new generation."""
    with open_store(settings).lock():
        index, _ = _sync(settings, None, log)
    _warm_query_path(settings, index, log)
    return index


def sync(settings: Settings, log: Log = lambda _: None, rebuild: bool = False):
    """Bring the index in line with the corpus folder; returns (index, report)."""
    with open_store(settings).lock():
        result = _sync_locked(settings, log, rebuild)
    _warm_query_path(settings, result[0], log)
    return result


def _warm_query_path(settings: Settings, index: Index, log: Log) -> None:
    """What questions need, made once here rather than on a first question: the ONNX query
    encoder (exported per model) and the compiled BM25 kernel (numba's disk cache)."""
    ensure_export(settings.model, log)
    if index.lexical is not None:  # the embedded store's BM25 (Milvus scores its own)
        warm_bm25(index.lexical.scores)


def _sync_locked(settings: Settings, log: Log, rebuild: bool = False):
    if rebuild:
        if _readable_manifest(settings) is not None:
            log("rebuilding the whole index (asked to rebuild)")
        return _sync(settings, None, log)
    return _sync(settings, _current(settings, log), log)


def _current(settings: Settings, log: Log) -> Index | None:
    """The index to update in place, or None when it must be built from scratch."""
    manifest = open_store(settings).manifest()
    reasons = incompatible(manifest, settings)
    if reasons and manifest is not None:
        log(f"rebuilding the whole index ({'; '.join(reasons)})")
    if reasons:
        return None
    return _load_or_last_good(
        settings, log, "updating from the last good generation {} instead (only articles "
        "changed since are embedded again)",
    )  # fmt: skip


def _load_or_last_good(settings: Settings, log: Log, fallback: str) -> Index:
    """The current generation; when it is damaged, the one before it (kept with its manifest),
    saying so with `fallback` (its generation filled in). Both damaged: the first error."""
    store = open_store(settings)
    try:
        return store.load(settings)
    except IndexUnavailable as err:
        last_good = store.load_last_good(settings)
        if last_good is None:
            raise
        log(f"warning: {err.args[0].split(';')[0]}; {fallback.format(last_good.generation)}")
        return last_good


def open_for_questions(settings: Settings, log: Log = lambda _: None) -> Index:
    """The current generation, read only: asking never writes (`newsqa ingest` updates).

    A corpus changed since the last ingest is answered as indexed, with a warning; a damaged
    current generation is answered from the last good one, with a warning."""
    store = open_store(settings)
    manifest = store.manifest()
    if manifest is None:
        raise IndexUnavailable(f"no index in {store.location}", remedy=INGEST)
    reasons = incompatible(manifest, settings)
    if reasons:
        raise IndexUnavailable(
            f"the index in {store.location} cannot answer with these settings "
            f"({'; '.join(reasons)})",
            remedy=INGEST,
        )
    index = _load_or_last_good(settings, log, "answering from generation {}")
    if stale_reasons(manifest, settings):
        log(Notice(
            f"warning: the articles in {settings.corpus_dir} changed since the last ingest; "
            "answering from the index as it is until it is updated", remedy=INGEST,
        ))  # fmt: skip
    return index


def open_index(settings: Settings, rebuild: bool = False, log: Log = lambda _: None) -> Index:
    """The index for settings: loaded when fresh, synced when the corpus changed, rebuilt
    when missing, incompatible, or asked to. A read-only index still answers (stale)."""
    store = open_store(settings)
    manifest = store.manifest()
    if not rebuild and not stale_reasons(manifest, settings):
        return store.load(settings)
    try:
        return sync(settings, log, rebuild=rebuild)[0]
    except NewsqaError as err:
        if manifest is None or rebuild or incompatible(manifest, settings):
            raise
        log(f"warning: answering from the existing index, not updated: {err}")
        return store.load(settings)


def add_paths(settings: Settings, paths: list[Path], log: Log = lambda _: None):
    """Copy article files into the corpus and index them; returns (index, report)."""
    sources = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise NewsqaError(f"{path} is not a file")
        data = path.read_bytes()
        sources.append((path, data, check_upload(path.name, data)))
    with open_store(settings).lock():  # corpus and index change together, one writer
        current = _current(settings, log)
        indexed = _indexed_keys(current)
        changes = []
        for path, data, documents in sources:
            if all(dedupe_key(doc.text) in indexed for doc in documents):
                first = indexed[dedupe_key(documents[0].text)]
                log(f"{path}: already indexed as {first}; skipped")
                continue
            target = _store_new_file(settings.corpus_dir, path.name, data)
            changes.append(target)
            log(f"copied {path} to {target}")
        result = _sync_or_undo(settings, current, log, undo=lambda: [c.unlink() for c in changes])
    ensure_export(settings.model, log)
    return result


def add_upload(settings: Settings, filename: str, data: bytes, log: Log = lambda _: None):
    """Store an uploaded article under corpus/uploads/ and index it; returns (index, report).

    Refused uploads (type, size, encoding, empty, duplicate) raise NewsqaError and write
    nothing, so nothing already indexed is touched.
    """
    documents = check_upload(filename, data)
    with open_store(settings).lock():
        current = _current(settings, log)
        indexed = _indexed_keys(current)
        keys = [dedupe_key(d.text) for d in documents]
        if all(key in indexed for key in keys):
            raise NewsqaError(
                f"{filename}: already indexed as {indexed[keys[0]]} (same text, ignoring "
                "whitespace and Unicode form); nothing to add"
            )
        target = _store_new_file(settings.corpus_dir / UPLOAD_DIR, _safe_name(filename), data)
        log(f"stored the upload as {target}")
        result = _sync_or_undo(settings, current, log, undo=target.unlink)
    ensure_export(settings.model, log)
    return result


def remove_articles(settings: Settings, targets: list[str], log: Log = lambda _: None):
    """Remove articles by doc id or corpus path: their files move to corpus/.removed/."""
    store = open_store(settings)
    with store.lock():
        index = store.load(settings)  # removal needs an index; an incompatible one is rebuilt
        moves = list(dict.fromkeys(p for t in targets for p in _files_of(settings, index, t)))
        moved: list[tuple[Path, Path]] = []
        try:
            for path in moves:
                destination = _free_name(settings.corpus_dir / REMOVED_DIR, path.name)
                destination.parent.mkdir(parents=True, exist_ok=True)
                path.rename(destination)
                _fsync_dir(path.parent)
                checkpoint("article moved out of the corpus")
                moved.append((path, destination))
                log(f"moved {path} to {destination} (restore it by moving it back)")
        except OSError as err:
            for original, destination in moved:
                destination.rename(original)
            raise NewsqaError(f"could not move {path} out of the corpus: {err.strerror}") from err
        current = None if incompatible(index.manifest, settings) else index
        return _sync_or_undo(settings, current, log, undo=lambda: [d.rename(p) for p, d in moved])


def _sync_or_undo(settings: Settings, current: Index | None, log: Log, undo: Callable[[], object]):
    """Sync from `current` (loaded by the caller, who holds the writer lock); if no new
    generation was switched in, put the corpus back as it was. Once the manifest has
    switched, the change stands."""
    before = _generation_now(settings)
    try:
        return _sync(settings, current, log)
    except BaseException:
        if _generation_now(settings) == before:
            undo()
        raise


def _generation_now(settings: Settings) -> tuple[int, int]:
    return open_store(settings).version(_readable_manifest(settings))


def _store_new_file(folder: Path, name: str, data: bytes) -> Path:
    """Write data as a new file folder/name (or name-2 ...): complete, fsynced, never over an
    existing file. A partial write leaves only a hidden temporary file, removed at once."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".{name}.partial-{os.getpid()}"
    try:
        with open(staging, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        target = _free_name(folder, name)  # a free name: corpus writers hold the writer lock
        os.rename(staging, target)
        _fsync_dir(folder)
        return target
    except OSError as err:
        raise NewsqaError(
            f"could not store {name} in {folder}: {err.strerror}; nothing was added"
        ) from err
    finally:
        staging.unlink(missing_ok=True)


def check_upload(filename: str, data: bytes) -> list[Document]:
    """The articles in an uploaded file, or NewsqaError saying why it cannot be used."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise NewsqaError(
            f"{filename}: {suffix or 'no extension'} is not an article type; upload "
            f"{', '.join(SUPPORTED_SUFFIXES)} files"
        )
    too_big = size_problem(len(data))
    if too_big:
        raise NewsqaError(f"{filename}: {too_big}")
    try:
        items = list(parse_file(data, suffix, filename))
    except ValueError as err:
        raise NewsqaError(f"{filename}: {err}") from err
    documents = [item for item in items if isinstance(item, Document)]
    if not documents:
        problems = "; ".join(item for item in items if isinstance(item, str))
        raise NewsqaError(f"{filename}: no usable article in it ({problems or 'empty'})")
    return documents


# ---------------------------------------------------------------- the one sync


def _sync(settings: Settings, current: Index | None, log: Log) -> tuple[Index, UpdateReport]:
    """New generation for the corpus as it is now, reusing what `current` already computed."""
    started = time.perf_counter()
    report = UpdateReport()
    fingerprint = corpus_fingerprint(settings.corpus_dir)
    scan = scan_corpus(
        settings.corpus_dir, current.files if current else None,
        current.documents if current else None, parse=current_work().parse,
    )  # fmt: skip
    documents, files = scan.documents, scan.files
    report.warnings.extend(scan.warnings)
    report_progress("load", len(files), len(files))
    for warning in report.warnings[:MAX_WARNINGS_SHOWN]:
        log(f"warning: {warning}")
    if len(report.warnings) > MAX_WARNINGS_SHOWN:  # an archive's 2,500 bodiless stories
        log(f"... and {len(report.warnings) - MAX_WARNINGS_SHOWN:,} more warnings like these "
            "(all of them are in the index's manifest.json, \"warnings\")")  # fmt: skip
    if not documents:
        raise NewsqaError(
            f"no articles to index in {settings.corpus_dir} (supported: "
            f"{' '.join(SUPPORTED_SUFFIXES)}); add articles there, or point --corpus / "
            "NEWSQA_CORPUS at a folder that has some"
        )
    old = current.documents if current else {}
    report.added = [d.source for i, d in documents.items() if i not in old]
    report.removed = [d.source for i, d in old.items() if i not in documents]
    report.unchanged = len(documents) - len(report.added)
    if current and not report.added and not report.removed and files == current.files:
        if current.manifest.get("corpus_fingerprint") == fingerprint:
            return current, report
    checkpoint("corpus scanned")
    report.timings["load_s"] = time.perf_counter() - started
    index = _assemble(settings, current, documents, files, fingerprint, report, log)
    clock = time.perf_counter()
    report_progress("write", 0, 1)
    store = open_store(settings)
    index.manifest = store.write(settings, index.manifest, index, current)
    if not store.builds_faiss:  # what answers from now on is what the store holds
        index = store.load(settings)
    report_progress("write", 1, 1)
    report.timings.update(index.manifest["timings"], write_s=time.perf_counter() - clock)
    report.generation = index.generation
    report.seconds = time.perf_counter() - started
    log(report.summary())
    return index, report


def _assemble(settings, current, documents, files, fingerprint, report, log=lambda _: None):
    """The in-memory index for `documents`; only articles new to `current` are computed."""
    import bm25s

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    passages, quotes, doc_speakers = [], [], {}
    old_quotes: dict[str, list] = {}
    for quote in current.quotes if current is not None else ():
        old_quotes.setdefault(quote.doc_id, []).append(quote)
    # Lines that recur across the corpus are furniture; when that set changes, every article is
    # split again (sentences that did not change keep their vectors: ids follow the offsets).
    furniture = recurring_lines(doc.text for doc in documents.values())
    same_furniture = current is not None and furniture == frozenset(
        current.manifest.get("furniture", ())
    )
    work = current_work()
    known = current.documents if current is not None else {}
    new = {doc_id for doc_id in documents if doc_id not in known}
    to_split = [doc for doc_id, doc in documents.items() if doc_id in new or not same_furniture]
    split = work.articles(to_split, settings, furniture, new)
    for failure in getattr(work, "failures", ()):  # an article a stage could not handle
        report.warnings.append(f"skipped in {failure}")
        log(f"warning: skipped in {failure}")
    for doc in to_split:
        if doc.doc_id not in split:
            del documents[doc.doc_id]
            new.discard(doc.doc_id)
            if doc.source in report.added:
                report.added.remove(doc.source)
    if not documents:
        raise NewsqaError("no article could be indexed (every one failed; see the warnings)")
    for doc_id in documents:
        if doc_id in new:
            found, found_quotes, roles = split[doc_id]
            passages += found
            quotes += found_quotes
            doc_speakers[doc_id] = roles
            continue
        if doc_id in split:
            passages += split[doc_id][0]
        else:
            passages += [current.passages[row] for row in current.passages.rows_of(doc_id)]
        quotes += old_quotes.get(doc_id, [])
        doc_speakers[doc_id] = current.doc_speakers.get(doc_id, {})
    timings["split_and_quotes_s"] = time.perf_counter() - clock

    sentences = split_sentences(passages)
    ids = np.array([s.sentence_id for s in sentences], dtype=np.int64)
    clock = time.perf_counter()
    if current is not None:
        old_positions = current.sentences.positions(ids)
    else:
        old_positions = np.full(len(ids), -1, dtype=np.int64)
    kept, fresh = np.flatnonzero(old_positions >= 0), np.flatnonzero(old_positions < 0)
    # The model is loaded only when something needs embedding: removals never pay for it.
    if current is None or len(fresh):
        dimension = work.dimension(settings.model)
    else:
        dimension = current.manifest["dimension"]
    vectors = np.zeros((len(sentences), dimension), dtype=np.float32)
    if len(kept) and current.vectors is not None:
        vectors[kept] = current.vectors[old_positions[kept]]  # exact: no re-embedding
    # (a store without local vectors, Milvus, keeps its own: it writes only the new sentences,
    # or reads the kept ones back itself when it rebuilds)
    if len(fresh):
        texts = [
            documents[passages[sentences[i].row].doc_id].text[sentences[i].start : sentences[i].end]
            for i in fresh
        ]
        for positions, chunk in work.embed(settings.model, texts):
            vectors[fresh[positions]] = chunk
    timings["embed_s"] = time.perf_counter() - clock
    timings["sentences_embedded"] = len(fresh)

    clock = time.perf_counter()
    previous = current.manifest.get("dense_index") if current is not None else None
    if open_store(settings).builds_faiss:
        spec = choose_dense(len(sentences), previous)
        dense = _dense_index(settings, spec, vectors, ids, current, fresh)
    else:  # the store indexes the vectors itself (and records how in the manifest)
        spec, dense = {"type": "store", "vectors": len(sentences)}, None
    timings["dense_index_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    lexical = bm25s.BM25()
    lexical.index(tokenize([p.text for p in passages]), show_progress=False)
    timings["lexical_index_s"] = time.perf_counter() - clock

    manifest = {
        "format_version": FORMAT_VERSION,
        "model": settings.model,
        "dimension": dimension,
        "metric": METRIC,
        "dense_index": spec,
        "lexical": LEXICAL,
        "chunking": chunking_settings(settings),
        "quotes_version": QUOTES_VERSION,
        "loader_version": LOADER_VERSION,
        "corpus_dir": str(settings.corpus_dir),
        "corpus_fingerprint": fingerprint,
        "documents": len(documents),
        "passages": len(passages),
        "sentences": len(sentences),
        "quotes": len(quotes),
        "furniture": sorted(furniture),
        "warnings": report.warnings,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }
    speakers = merge_speakers(doc_speakers, documents)
    table = Passages.build(passages, documents)
    return Index(
        settings, manifest, documents, table, Sentences.build(sentences, len(table)), vectors,
        dense, lexical, quotes, speakers, files, doc_speakers,
    )  # fmt: skip


def _dense_index(settings, spec: dict, vectors: np.ndarray, ids: np.ndarray, current, fresh):
    """The dense index for these vectors: exact, the current IVF updated in place (its
    training still fits: choose_dense kept its lists), or a newly trained IVF."""
    if spec["type"] == "exact":
        return exact_index(vectors, ids)
    previous = current.manifest.get("dense_index") if current is not None else None
    if (
        previous
        and previous.get("factory") == spec["factory"]
        and spec.get("trained_on") == (previous.get("trained_on"))
    ):
        import faiss

        # Read, not memory-map: a memory-mapped IVF is read-only (FAISS aborts on changes).
        path = settings.index_dir / current.generation / "dense.faiss"
        dense = faiss.read_index(str(path))
        gone = np.setdiff1d(current.sentences.ids, ids)
        if len(gone):
            dense.remove_ids(gone)
        if len(fresh):
            dense.add_with_ids(vectors[fresh], ids[fresh])
        if dense.ntotal == len(ids):
            faiss.extract_index_ivf(dense).nprobe = spec["nprobe"]
            return dense
    return build_ivf(spec, vectors, ids)


# ---------------------------------------------------------------- helpers


def _readable_manifest(settings: Settings) -> dict | None:
    """For a rebuild, a damaged manifest is what is being repaired: treat it as absent."""
    try:
        return open_store(settings).manifest()
    except IndexUnavailable:
        return None


def _indexed_keys(index: Index | None) -> dict[str, str]:
    """dedupe key -> source of every indexed article (empty when there is no index yet)."""
    if index is None:
        return {}
    return {dedupe_key(doc.text): doc.source for doc in index.documents.values()}


def _files_of(settings: Settings, index: Index, target: str) -> list[Path]:
    """The corpus files holding the article named by a doc id or a path (exact copies of an
    article in several files all go); refuse to split a multi-article file."""
    corpus = settings.corpus_dir.resolve()
    candidate = Path(target).expanduser()
    if not candidate.is_absolute():
        candidate = (Path.cwd() / candidate) if candidate.exists() else corpus / candidate
    candidate = candidate.resolve()
    if candidate.is_file():
        try:
            rel = candidate.relative_to(corpus).as_posix()
        except ValueError:  # the original of a file `add` copied in: its copy has its bytes
            digest = sha256_file(candidate)
            copies = [corpus / f.path for f in index.files.values() if f.sha256 == digest]
            if not copies:
                raise NewsqaError(
                    f"{target} is outside the corpus folder {corpus} and no indexed file has "
                    "its content", remedy=LIST,
                ) from None  # fmt: skip
            return copies
        if rel not in index.files:
            raise NewsqaError(f"{target} is not an indexed article file")
        return [candidate]
    holders = [f for f in index.files.values() if target in f.doc_ids]
    if not holders or target not in index.documents:
        raise NewsqaError(f"no indexed article has id or path {target!r}", remedy=LIST)
    for holder in holders:
        if len(holder.doc_ids) > 1:
            raise NewsqaError(
                f"article {target} shares {holder.path} with {len(holder.doc_ids) - 1} other "
                "articles; delete its line from that file and update the index",
                remedy=INGEST,
            )
    return [corpus / holder.path for holder in holders]


def _safe_name(filename: str) -> str:
    """A plain file name: no folders, no dots in front, only portable characters."""
    name = Path(filename.replace("\\", "/")).name
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-") or "upload"
    return f"{stem[:80]}{suffix}"


def _free_name(folder: Path, name: str) -> Path:
    """folder/name, or folder/name-2, -3 ... so that no existing file is overwritten."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target


def _display(path: Path) -> str:
    from .documents import display_path

    return display_path(path)
