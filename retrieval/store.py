"""Build, persist and load the index: passages + FAISS (dense) + bm25s (lexical) + manifest.

Layout of index/ (no pickle anywhere; every file is checksummed in the manifest):
    manifest.json     format version, model, dimension, metric, chunking, corpus fingerprint, files
    documents.jsonl   one article per line: doc_id, title, source, meta, text
    passages.jsonl    one passage per line: passage_id, doc_id, start, end (text is derived)
    quotes.jsonl      one attributed quote per line: speaker, role, start, end, kind, attribution
    dense.faiss       IndexIDMap2(IndexFlatIP): one normalised vector per sentence of a passage;
                      sentence spans are re-derived from passages on load, never stored twice
    lexical/          bm25s index (numpy arrays + JSON), row i = passages.jsonl line i
A build is written to a temporary sibling folder and swapped in whole, so a crash never leaves
a half-written index in place.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .config import NewsqaError, Settings
from .documents import Document, corpus_fingerprint, load_corpus
from .embedding import Encoder, load_encoder
from .passages import (
    SPLITTER_VERSION,
    Passage,
    Sentence,
    check_offsets,
    split_corpus,
    split_sentences,
)
from .quotes import QUOTES_VERSION, Quote, extract_quotes, speaker_roles

FORMAT_VERSION = 1
METRIC = "inner_product"  # on L2-normalised vectors, i.e. cosine similarity
# bm25s's "en_plus" list (NLTK's) drops question words (what, did, about) that "en" keeps.
STOPWORDS = "en_plus"
# What shapes lexical tokens; recorded in the manifest so a change forces a rebuild.
LEXICAL = {"library": "bm25s", "stopwords": STOPWORDS, "stemmer": "snowball-english+irregular-v1"}


class IndexError_(NewsqaError):
    """The index on disk is missing, stale, or damaged; the message says how to rebuild."""


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
    def encoder(self) -> Encoder:
        return load_encoder(self.manifest["model"])


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


# ---------------------------------------------------------------- build


def build_index(settings: Settings, log: Callable[[str], None] = lambda _: None) -> Index:
    """Load the corpus, split, embed, index, and persist under settings.index_dir."""
    import bm25s
    import faiss

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    fingerprint = corpus_fingerprint(settings.corpus_dir)
    loaded = load_corpus(settings.corpus_dir)
    for warning in loaded.warnings:
        log(f"warning: {warning}")
    if not loaded.documents:
        raise NewsqaError(
            f"no articles to index in {settings.corpus_dir} (supported: .txt .md .html .jsonl); "
            "add articles there, or point --corpus / NEWSQA_CORPUS at a folder that has some"
        )
    timings["load_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    passages = split_corpus(loaded.documents, settings)
    timings["split_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    quotes = [quote for doc in loaded.documents for quote in extract_quotes(doc)]
    speakers = merge_speakers(loaded.documents)
    timings["quotes_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    encoder = load_encoder(settings.model)
    timings["model_load_s"] = time.perf_counter() - clock
    sentences = split_sentences(passages)
    clock = time.perf_counter()
    docs = {d.doc_id: d for d in loaded.documents}
    vectors = encoder.encode(
        [docs[passages[s.row].doc_id].text[s.start : s.end] for s in sentences]
    )
    timings["embed_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    dense = faiss.IndexIDMap2(faiss.IndexFlatIP(encoder.dimension))
    dense.add_with_ids(vectors, np.array([s.sentence_id for s in sentences], dtype=np.int64))
    lexical = bm25s.BM25()
    lexical.index(tokenize([p.text for p in passages]), show_progress=False)
    timings["index_s"] = time.perf_counter() - clock

    manifest = {
        "format_version": FORMAT_VERSION,
        "model": settings.model,
        "dimension": encoder.dimension,
        "metric": METRIC,
        "dense_index": "IndexIDMap2(IndexFlatIP)",
        "lexical": LEXICAL,
        "chunking": _chunking(settings),
        "quotes_version": QUOTES_VERSION,
        "corpus_dir": str(settings.corpus_dir),
        "corpus_fingerprint": fingerprint,
        "documents": len(loaded.documents),
        "passages": len(passages),
        "sentences": len(sentences),
        "quotes": len(quotes),
        "speakers": speakers,
        "warnings": loaded.warnings,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    clock = time.perf_counter()
    _write(settings.index_dir, manifest, loaded.documents, passages, quotes, dense, lexical)
    timings["write_s"] = time.perf_counter() - clock
    manifest["timings"] = {k: round(v, 3) for k, v in timings.items()}
    log(
        f"indexed {len(passages)} passages from {len(loaded.documents)} articles "
        f"in {sum(timings.values()):.1f}s"
    )
    return Index(settings, manifest, docs, passages, dense, lexical, quotes, speakers)


def _chunking(settings: Settings) -> dict:
    return {**settings.chunking(), "splitter_version": SPLITTER_VERSION}


def merge_speakers(documents: list[Document]) -> dict[str, list[str]]:
    """Canonical speaker -> every role seen with them, across the corpus."""
    merged: dict[str, list[str]] = {}
    for doc in documents:
        for name, roles in speaker_roles(doc).items():
            known = merged.setdefault(name, [])
            known.extend(role for role in roles if role not in known)
    return dict(sorted(merged.items()))


def _write(target: Path, manifest, documents, passages, quotes, dense, lexical) -> None:
    import faiss

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        with (staging / "documents.jsonl").open("w", encoding="utf-8") as out:
            for doc in documents:
                out.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
        with (staging / "passages.jsonl").open("w", encoding="utf-8") as out:
            for p in passages:
                row = {
                    "passage_id": p.passage_id,
                    "doc_id": p.doc_id,
                    "start": p.start,
                    "end": p.end,
                }
                out.write(json.dumps(row) + "\n")
        with (staging / "quotes.jsonl").open("w", encoding="utf-8") as out:
            for q in quotes:
                row = {k: v for k, v in asdict(q).items() if k != "text"}  # text is derived
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        faiss.write_index(dense, str(staging / "dense.faiss"))
        lexical.save(str(staging / "lexical"), show_progress=False)
        manifest = dict(manifest, files=_checksums(staging))
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        for path in staging.rglob("*"):
            if path.is_file():
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
        retired = target.with_name(f".{target.name}.old-{os.getpid()}")
        if target.exists():
            os.rename(target, retired)
        os.rename(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _checksums(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): _sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- load


def read_manifest(index_dir: Path) -> dict | None:
    try:
        return json.loads((index_dir / "manifest.json").read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise IndexError_(
            f"the index manifest in {index_dir} is unreadable ({err}); rebuild with `newsqa ingest`"
        ) from None


def stale_reasons(manifest: dict | None, settings: Settings) -> list[str]:
    """Why the index on disk does not describe this corpus with these settings (empty: fresh)."""
    if manifest is None:
        return [f"no index in {settings.index_dir}"]
    reasons = []
    if manifest.get("format_version") != FORMAT_VERSION:
        reasons.append(f"index format {manifest.get('format_version')} != {FORMAT_VERSION}")
    if manifest.get("model") != settings.model:
        reasons.append(f"model changed ({manifest.get('model')} -> {settings.model})")
    if manifest.get("quotes_version") != QUOTES_VERSION:
        reasons.append("quote extraction changed")
    if manifest.get("lexical") != LEXICAL:
        reasons.append("lexical tokenization changed")
    if manifest.get("chunking") != _chunking(settings):
        reasons.append("chunking settings changed")
    if manifest.get("corpus_fingerprint") != corpus_fingerprint(settings.corpus_dir):
        reasons.append(f"the articles in {settings.corpus_dir} changed")
    return reasons


def load_index(settings: Settings) -> Index:
    """Load a persisted index after checking every file against the manifest's checksums."""
    import bm25s
    import faiss

    folder = settings.index_dir
    manifest = read_manifest(folder)
    if manifest is None:
        raise IndexError_(f"no index in {folder}; build it with `newsqa ingest`")
    if manifest.get("format_version") != FORMAT_VERSION or manifest.get("metric") != METRIC:
        raise IndexError_(
            f"the index in {folder} was written by another version of newsqa; "
            "rebuild it with `newsqa ingest`"
        )
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        # FAISS trusts its input: never hand it a file that is not exactly what we wrote.
        if not path.is_file() or _sha256(path) != expected:
            raise IndexError_(
                f"index file {path} is missing or damaged (checksum mismatch); "
                "rebuild it with `newsqa ingest --rebuild`"
            )
    documents = {}
    with (folder / "documents.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            doc = Document(**json.loads(line))
            documents[doc.doc_id] = doc
    passages = []
    with (folder / "passages.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            doc = documents[row["doc_id"]]
            passage = Passage(text=doc.text[row["start"] : row["end"]], **row)
            check_offsets(doc, passage)
            passages.append(passage)
    quotes = []
    with (folder / "quotes.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            quotes.append(
                Quote(text=documents[row["doc_id"]].text[row["start"] : row["end"]], **row)
            )
    dense = faiss.read_index(str(folder / "dense.faiss"))
    lexical = bm25s.BM25.load(str(folder / "lexical"), mmap=True, show_progress=False)
    index = Index(
        settings, manifest, documents, passages, dense, lexical, quotes, manifest["speakers"]
    )
    if dense.d != manifest["dimension"] or dense.ntotal != len(index.sentences):
        raise IndexError_(
            f"dense index in {folder} has {dense.ntotal}x{dense.d} vectors, the manifest says "
            f"{len(index.sentences)}x{manifest['dimension']}; "
            "rebuild it with `newsqa ingest --rebuild`"
        )
    return index


def open_index(
    settings: Settings, rebuild: bool = False, log: Callable[[str], None] = lambda _: None
) -> Index:
    """The index for settings: loaded when fresh, (re)built when missing, stale, or asked to."""
    reasons = (
        ["asked to rebuild"]
        if rebuild
        else stale_reasons(read_manifest(settings.index_dir), settings)
    )
    if reasons:
        log(f"building the index ({'; '.join(reasons)})")
        return build_index(settings, log)
    return load_index(settings)
