"""The Milvus store's layout: its collections, their fields and indexes, and the rows written
into them (see milvus.py for how they are kept consistent)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .dense import EXACT_MAX_VECTORS, IVF_NPROBE

PREFIX = "newsqa"
KINDS = ("articles", "passages", "sentences", "quotes")
# Milvus wants a vector field in every collection: articles and quotes carry a constant one.
NO_VECTOR = [0.0, 0.0]
# VARCHAR holds at most 65,535 bytes: text goes in chunks of characters that always fit.
CHUNK_CHARS = 16_000
# A passage with no indexed term (all stop words) still needs a nonzero sparse weight; this
# dimension is never asked for.
EMPTY_TERM = 2**32 - 2


WRITE_BATCH = 2_000
READ_BATCH = 16_384  # Milvus's largest page
MAX_LIMIT = 16_384  # Milvus's largest top-k
CONSISTENCY = "Strong"


def collection_names(prefix: str, number: int) -> dict[str, str]:
    return {kind: f"{prefix}_g{number:06d}_{kind}" for kind in KINDS}


def generation_of(collection: str) -> int:
    return int(collection.rsplit("_g", 1)[1].split("_")[0])


# ---------------------------------------------------------------- schema


def schemas(client, dimension: int) -> dict:
    from pymilvus import DataType

    def schema(key, key_type=DataType.INT64):
        made = client.create_schema(auto_id=False, enable_dynamic_field=False)
        if key_type == DataType.VARCHAR:
            made.add_field(key, key_type, is_primary=True, max_length=512)
        else:
            made.add_field(key, key_type, is_primary=True)
        return made

    def text(made, name, length=1024):
        made.add_field(name, DataType.VARCHAR, max_length=length)

    articles = schema("key", DataType.VARCHAR)
    text(articles, "kind", 16)
    text(articles, "doc_id", 512)
    articles.add_field("part", DataType.INT64)
    articles.add_field("ord", DataType.INT64)
    text(articles, "body", 65_535)
    articles.add_field("none", DataType.FLOAT_VECTOR, dim=len(NO_VECTOR))

    passages = schema("passage_id")
    text(passages, "doc_id", 512)
    for name in ("ord", "start", "end"):
        passages.add_field(name, DataType.INT64)
    text(passages, "source")
    text(passages, "published", 32)
    passages.add_field("terms", DataType.SPARSE_FLOAT_VECTOR)

    sentences = schema("sentence_id")
    sentences.add_field("passage_id", DataType.INT64)
    text(sentences, "doc_id", 512)
    for name in ("ord", "start", "end"):
        sentences.add_field(name, DataType.INT64)
    text(sentences, "source")
    text(sentences, "published", 32)
    sentences.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)

    quotes = schema("ord")
    text(quotes, "doc_id", 512)
    text(quotes, "speaker", 512)  # "" = unattributed (nobody's words)
    text(quotes, "role", 1024)
    for name in ("start", "end"):
        quotes.add_field(name, DataType.INT64)
    text(quotes, "kind", 32)
    text(quotes, "attribution", 32)
    quotes.add_field("none", DataType.FLOAT_VECTOR, dim=len(NO_VECTOR))
    return {"articles": articles, "passages": passages, "sentences": sentences, "quotes": quotes}


def dense_spec(vectors: int, exact: bool = False) -> dict:
    """FLAT (exact) while exact search is cheap, as the embedded store, or always with
    NEWSQA_EXACT_SEARCH; then IVF_SQ8 with 4 sqrt(n) lists, IVF_NPROBE probed. (Milvus builds
    such an IVF per segment and searches unflushed rows exactly, so its recall is not the
    embedded IVF's; bench/RESULTS.md measures both.)"""
    if vectors <= EXACT_MAX_VECTORS or exact:
        return {"type": "milvus", "index_type": "FLAT", "params": {}, "search": {}}
    lists = max(1, min(int(4 * np.sqrt(vectors)), vectors // 40, 65_536))
    return {
        "type": "milvus", "index_type": "IVF_SQ8", "params": {"nlist": lists},
        "search": {"nprobe": IVF_NPROBE}, "trained_on": vectors,
    }  # fmt: skip


def index_params(client, kind: str, spec: dict):
    params = client.prepare_index_params()
    if kind == "passages":
        params.add_index("terms", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    elif kind == "sentences":
        params.add_index("vector", index_type=spec["index_type"], metric_type="IP",
                         params=spec["params"])  # fmt: skip
    else:
        params.add_index("none", index_type="FLAT", metric_type="L2")
    return params


def text_chunks(text: str) -> list[str]:
    """`text` in pieces that each fit a VARCHAR (CHUNK_CHARS characters, at most 64 kB)."""
    return [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]


def fit(text, limit: int) -> str:
    """`text` cut to `limit` UTF-8 bytes (a Milvus server counts VARCHAR lengths in bytes)."""
    return str(text or "").encode("utf-8")[:limit].decode("utf-8", "ignore")


def passage_weights(lexical, rows: Iterable[int], vocabulary: dict, index) -> dict:
    """row -> {term id: bm25s's score of the term in the passage}; new terms get new ids in
    `vocabulary` (terms in id order, and their document frequencies, updated for all)."""
    scores = lexical.scores
    data = np.asarray(scores["data"])
    indices = np.asarray(scores["indices"])
    indptr = np.asarray(scores["indptr"])
    columns = {column: term for term, column in lexical.vocab_dict.items()}
    tid_of = {term: i for i, term in enumerate(vocabulary["terms"])}
    df = np.diff(indptr)
    for column in range(len(indptr) - 1):  # every term of the new corpus, with today's df
        term = columns[column]
        if term not in tid_of:
            tid_of[term] = len(vocabulary["terms"])
            vocabulary["terms"].append(term)
            vocabulary["df"].append(0)
        vocabulary["df"][tid_of[term]] = int(df[column])
    for term, tid in tid_of.items():  # terms gone from the corpus
        if term not in lexical.vocab_dict:
            vocabulary["df"][tid] = 0
    vocabulary["passages"] = len(index.passages)
    tid_of_column = np.array([tid_of[columns[c]] for c in range(len(indptr) - 1)], dtype=np.int64)
    entry_column = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    order = np.argsort(indices, kind="stable")
    bounds = np.searchsorted(indices[order], np.arange(len(index.passages) + 1))
    weights = {}
    for row in rows:
        picked = order[bounds[row] : bounds[row + 1]]
        found = {
            int(t): float(w)
            for t, w in zip(tid_of_column[entry_column[picked]], data[picked], strict=True)
            if w > 0
        }
        weights[row] = found or {EMPTY_TERM: 1e-30}
    return weights
