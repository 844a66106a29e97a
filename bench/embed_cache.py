"""Sentence vectors of a synthetic corpus, embedded once and kept (the 100k run takes ~30 min).

    .venv/bin/python bench/embed_cache.py --passages 100000      # writes bench/out/cache/...

The texts are exactly the sentences the ingest pipeline embeds (same loader, splitter and
sentence splitter), encoded by the same torch encoder with the same batch size, in order.
The file records how long the encoding took, so the benchmark can report the embed stage of a
size it does not re-embed. `CachedEncoder` hands these vectors to the real pipeline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from synthetic import write_corpus  # noqa: E402

from retrieval import Settings  # noqa: E402
from retrieval.documents import corpus_files, parse_file  # noqa: E402
from retrieval.passages import split_document, split_sentences  # noqa: E402

CACHE = BENCH / "out" / "cache"
PARAGRAPHS = 10  # per article; each synthetic paragraph is one passage
SEED = 7
CHUNK = 4096  # texts per saved chunk: a killed run resumes where it stopped


def corpus_for(passages: int, root: Path) -> Path:
    """The seeded synthetic corpus with `passages` passages (written once)."""
    folder = root / f"corpus-{passages}"
    if not (folder / ".complete").exists():
        write_corpus(folder, max(1, passages // PARAGRAPHS), PARAGRAPHS, SEED)
        (folder / ".complete").touch()
    return folder


def sentence_texts(corpus: Path, settings: Settings) -> list[str]:
    """The sentences the pipeline embeds, in its order."""
    texts = []
    for path in corpus_files(corpus):
        for doc in parse_file(path.read_bytes(), path.suffix.lower(), path.name):
            if isinstance(doc, str):
                continue
            passages = split_document(doc, settings)
            texts += [doc.text[s.start : s.end] for s in split_sentences(passages)]
    return texts


def _key(texts: list[str], model: str) -> str:
    digest = hashlib.sha256(model.encode())
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def cached_vectors(passages: int, settings: Settings, log=print):
    """(texts, vectors, record) for the synthetic corpus of that size; embeds what is missing.
    record["embed_s"] is the encoder time summed over all chunks, whichever run did them."""
    from retrieval.encoders import load_encoder

    corpus = corpus_for(passages, CACHE)
    texts = sentence_texts(corpus, settings)
    folder = CACHE / f"vectors-{passages}-{_key(texts, settings.model)}"
    folder.mkdir(parents=True, exist_ok=True)
    record_path = folder / "record.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {"chunks": {}}
    encoder = None
    for first in range(0, len(texts), CHUNK):
        name = f"{first:09d}.npy"
        if name in record["chunks"]:
            continue
        encoder = encoder or load_encoder(settings.model)
        started = time.perf_counter()
        vectors = encoder.encode(texts[first : first + CHUNK])
        record["chunks"][name] = time.perf_counter() - started
        np.save(folder / name, vectors)
        record_path.write_text(json.dumps(record))
        done = first + len(vectors)
        log(f"embedded {done}/{len(texts)} sentences, {sum(record['chunks'].values()):.0f} s")
    vectors = np.concatenate([np.load(folder / n) for n in sorted(record["chunks"])])
    record.update(sentences=len(texts), embed_s=sum(record["chunks"].values()))
    return texts, vectors, record


class CachedEncoder:
    """Stands in for the torch encoder: returns the cached vector of each text."""

    def __init__(self, texts: list[str], vectors: np.ndarray):
        self.row = {text: i for i, text in enumerate(texts)}
        self.vectors = vectors
        self.dimension = vectors.shape[1]
        self.name = "cached"

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return self.vectors[[self.row[t] for t in texts]]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=100_000)
    args = parser.parse_args()
    texts, vectors, record = cached_vectors(args.passages, Settings())
    print(f"{len(texts)} sentences, {vectors.shape}, embedded in {record['embed_s']:.0f} s")
