"""The Milvus store: the index's records as Milvus collections, searched by Milvus.

`--store milvus:///abs/path/newsqa.db` opens Milvus Lite (embedded: Milvus Lite 3 serves the
file from threads of the process that opens it, one process at a time);
`--store http://host:19530` a Milvus server or cluster (token: NEWSQA_MILVUS_TOKEN). pymilvus
speaks the same API to all three, so what is tested here with Milvus Lite is what talks to a
cluster.

One generation N is four collections, `<prefix>_gNNNNNN_<kind>` (their fields and rows:
milvus_schema.py; searching them: milvus_search.py):
    articles   one row per article part (header JSON, then its text in chunks), and "blobs":
               the manifest, the corpus files and the BM25 vocabulary of each version, and the
               row "current" that names the version readers use
    passages   passage id, article, offsets, order, and the passage's BM25 weights as a sparse
               vector (the project's tokenizer, bm25s's scores: equal to the embedded BM25)
    sentences  sentence id, passage, offsets, order, and its embedding (FLAT, or IVF_SQ8 above
               dense.EXACT_MAX_VECTORS, with as many lists and probes as the embedded IVF)
    quotes     every quote with its speaker, role, kind and exact span
The alias `<prefix>` names generation N's articles collection: a full rebuild writes N+1 and
switches the alias (one atomic call), then drops generations before N.

Milvus has no transaction across collections (nor across rows), so the store keeps an
article's rows together by order and by the reader's snapshot instead:
- adding: passages, sentences and quotes are written first, the article's rows after them,
  then the new version's manifest, then "current" (the switch);
- removing: the article's rows go first, then "current", then its passages, sentences, quotes.
All reads are Strong (they see every write acknowledged before them). A server loads a snapshot
of articles, passages, sentences and quotes; search results whose passage is not in the
snapshot are dropped, and text is always sliced from the snapshot's article. So an answer
cites a whole article or none of it, exactly (`text == document_text[start:end]`).
What it does not promise: a question asked while an article is being removed may rank fewer
of that article's passages; BM25 weights of passages written before an incremental update keep
that time's idf (a full rebuild, `newsqa ingest --rebuild`, rescores all).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .config import INGEST, REBUILD, NewsqaError, Settings, env
from .documents import Document, SourceFile
from .milvus_schema import (
    CONSISTENCY,
    KINDS,
    MAX_LIMIT,
    NO_VECTOR,
    PREFIX,
    READ_BATCH,
    WRITE_BATCH,
    collection_names,
    dense_spec,
    fit,
    generation_of,
    index_params,
    passage_weights,
    schemas,
    text_chunks,
)
from .milvus_search import MilvusSearch
from .quotes import Quote
from .records import (
    PASSAGE_RECORD,
    SENTENCE_RECORD,
    Index,
    Passages,
    Sentences,
    merge_speakers,
    outside_articles,
)
from .store import IndexUnavailable


class MilvusUnavailable(IndexUnavailable):
    """The Milvus store cannot be read (so a rebuild, or a fixed connection, is what helps)."""


def _store_error(url: str, err: Exception) -> NewsqaError:
    return MilvusUnavailable(
        f"the Milvus store {url} cannot be used ({str(err).splitlines()[0][:300]}); check "
        "that it runs and NEWSQA_MILVUS_TOKEN, or unset NEWSQA_STORE to use the index folder"
    )


_CLIENTS: dict[str, object] = {}
_LOADED: set[tuple[str, str]] = set()  # (store, collection) this process has loaded
_CLIENTS_LOCK = threading.Lock()


def _uri(url: str) -> str:
    """milvus:///abs/path.db -> the Lite file; http(s)://host:port as it is."""
    if url.startswith("milvus://"):
        path = url[len("milvus://") :]
        if not path.startswith("/"):
            raise NewsqaError(
                f"--store {url!r}: a Milvus Lite file needs an absolute path, e.g. "
                "milvus:///srv/newsqa/newsqa.db"
            )
        if not path.endswith(".db"):
            raise NewsqaError(f"--store {url!r}: a Milvus Lite file name ends in .db")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return path
    return url.replace("tcp://", "http://", 1)


def client_for(url: str):
    """One client per store per process (Milvus Lite allows one opener of a file)."""
    with _CLIENTS_LOCK:
        found = _CLIENTS.get(url)
        if found is None:
            from pymilvus import MilvusClient

            _quiet_iterators()

            try:
                found = MilvusClient(uri=_uri(url), token=env("NEWSQA_MILVUS_TOKEN") or "")
            except NewsqaError:
                raise
            except Exception as err:  # noqa: BLE001 - pymilvus raises many kinds
                raise _store_error(url, err) from err
            _CLIENTS[url] = found
        return found


def _quiet_iterators() -> None:
    """Milvus Lite does not implement AllocTimestamp: every query_iterator logs a gRPC error
    and a pymilvus warning before using the client's clock, which is what it should do."""
    import logging

    logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
    logging.getLogger("pymilvus.client.iterator.query_iterator").setLevel(logging.ERROR)


def close_clients() -> None:
    """Close every client, and stop the Milvus Lite servers this process runs (Lite 3 serves a
    file from threads of the process that opened it, holding the file's lock until stopped):
    the file is then free for another process."""
    with _CLIENTS_LOCK:
        for url, found in _CLIENTS.items():
            with contextlib.suppress(Exception):
                found.close()
            if url.startswith("milvus://"):
                from milvus_lite.server_manager import server_manager_instance

                server_manager_instance.release_server(_uri(url))
        _CLIENTS.clear()
        _LOADED.clear()


# ---------------------------------------------------------------- the store


class MilvusStore:
    builds_faiss = False

    def __init__(self, settings: Settings, prefix: str = PREFIX) -> None:
        self.url = settings.store
        self.location = self.url  # a URL, never the token
        self.prefix = prefix
        self.lock_dir = settings.index_dir

    @property
    def client(self):
        return client_for(self.url)

    def _call(self, what, *args, **kwargs):
        try:
            return what(*args, **kwargs)
        except NewsqaError:
            raise
        except Exception as err:  # noqa: BLE001 - connection, server and schema errors
            raise _store_error(self.url, err) from err

    # -- which generation is current

    def _current_number(self) -> int | None:
        client = self.client
        aliases = self._call(client.list_aliases).get("aliases", [])
        if self.prefix not in aliases:
            return None
        return generation_of(self._call(client.describe_alias, self.prefix)["collection_name"])

    def manifest(self) -> dict | None:
        number = self._current_number()
        if number is None:
            return None
        names = collection_names(self.prefix, number)
        version = self._version_row(names)
        if version is None:
            return None
        return self._json(names, f"manifest.v{version}")

    def version(self, manifest: dict | None) -> tuple[int, int]:
        where = (manifest or {}).get("milvus") or {}
        return (int(where.get("generation", -1)), int(where.get("version", -1)))

    def _ensure_loaded(self, names) -> None:
        """Collections answer only once loaded; a restarted Milvus Lite (another process, a
        new day) has them released. Loading a loaded collection is a no-op."""
        for collection in names.values():
            if (self.url, collection) not in _LOADED:
                self._call(self.client.load_collection, collection)
                _LOADED.add((self.url, collection))

    def _version_row(self, names) -> int | None:
        self._ensure_loaded(names)
        rows = self._call(self.client.query, names["articles"], filter='key == "current"',
                          output_fields=["part"], consistency_level=CONSISTENCY)  # fmt: skip
        return int(rows[0]["part"]) if rows else None

    def _blob(self, names, name: str) -> str:
        rows = self._call(
            self.client.query, names["articles"],
            filter=f'kind == "blob" and doc_id == {json.dumps(name)}',
            output_fields=["part", "body"], consistency_level=CONSISTENCY, limit=MAX_LIMIT,
        )  # fmt: skip
        if not rows:
            raise MilvusUnavailable(
                f"the Milvus store {self.url} lacks its {name.split('.')[0]}", remedy=REBUILD
            )
        return "".join(r["body"] for r in sorted(rows, key=lambda r: r["part"]))

    def _json(self, names, name: str):
        try:
            return json.loads(self._blob(names, name))
        except ValueError as err:
            raise MilvusUnavailable(
                f"the Milvus store {self.url} holds a damaged {name.split('.')[0]} ({err})",
                remedy=REBUILD,
            ) from err

    def _blob_rows(self, name: str, text: str) -> list[dict]:
        chunks = text_chunks(text) or [""]
        return [{"key": f"blob:{name}#{i:06d}", "kind": "blob", "doc_id": name, "part": i,
                 "ord": 0, "body": chunk, "none": NO_VECTOR}
                for i, chunk in enumerate(chunks)]  # fmt: skip

    @contextlib.contextmanager
    def lock(self, wait: float | None = None) -> Iterator[None]:
        """One writer per machine (a file lock beside the index folder). Milvus itself has no
        locks: run writers for one store from one place."""
        from .store import writer_lock

        with writer_lock(self.lock_dir, wait):
            yield

    def load_last_good(self, settings: Settings):
        return None  # a damaged generation is rebuilt (the previous one is kept until then)

    # -- reading

    def load(self, settings: Settings) -> Index:
        number = self._current_number()
        if number is None:
            raise MilvusUnavailable(f"no index in the Milvus store {self.url}", remedy=INGEST)
        names = collection_names(self.prefix, number)
        version = self._version_row(names)
        if version is None:
            raise MilvusUnavailable(f"the Milvus store {self.url} has no current version",
                                    remedy=REBUILD)  # fmt: skip
        manifest = self._json(names, f"manifest.v{version}")
        if manifest.get("model") != settings.model:
            raise MilvusUnavailable(
                f"the index in {self.url} was built with model {manifest.get('model')!r}, but "
                f"{settings.model!r} is configured", remedy=REBUILD,
            )  # fmt: skip
        files = {
            path: SourceFile(path, digest, tuple(ids))
            for path, (digest, ids) in self._json(names, f"files.v{version}").items()
        }
        vocabulary = self._json(names, f"terms.v{version}")
        documents, doc_speakers = self._read_articles(names, files)
        passages, passage_ids = self._read_passages(names, documents)
        sentences = self._read_sentences(names, passages, passage_ids)
        quotes = self._read_quotes(names, documents)
        index = Index(
            settings, manifest, documents, passages, sentences, None, None, None, quotes,
            merge_speakers(doc_speakers, documents), files, doc_speakers,
        )  # fmt: skip
        index.search = MilvusSearch(self, names, index, passage_ids, vocabulary)
        return index

    def _scan(self, collection: str, fields: list[str], where: str = "") -> Iterator[dict]:
        iterator = self._call(
            self.client.query_iterator, collection, batch_size=READ_BATCH, filter=where,
            output_fields=fields,
        )  # fmt: skip
        try:
            while True:
                batch = self._call(iterator.next)
                if not batch:
                    return
                yield from batch
        finally:
            iterator.close()

    def _read_articles(self, names, files: dict[str, SourceFile]):
        """The articles of this version: those its corpus files list (rows of an article being
        added are not part of it until the switch), in corpus order, as the embedded store."""
        parts: dict[str, dict[int, str]] = {}
        for row in self._scan(names["articles"], ["doc_id", "part", "body"],
                              'kind == "article"'):  # fmt: skip
            parts.setdefault(row["doc_id"], {})[row["part"]] = row["body"]
        documents, doc_speakers = {}, {}
        listed = dict.fromkeys(doc_id for f in files.values() for doc_id in f.doc_ids)
        for doc_id in listed:
            pieces = parts.get(doc_id)
            if not pieces or 0 not in pieces:
                continue  # a duplicate the scan skipped, or an article being removed
            pieces = parts[doc_id]
            header = json.loads(pieces[0])
            if len(pieces) != header["parts"] + 1:
                continue  # being written or removed: not part of this snapshot
            text = "".join(pieces[i] for i in range(1, header["parts"] + 1))
            documents[doc_id] = Document(doc_id, header["title"], header["source"], text,
                                         header["meta"])  # fmt: skip
            doc_speakers[doc_id] = header["speakers"]
        return documents, doc_speakers

    def _read_passages(self, names, documents):
        position = {doc_id: i for i, doc_id in enumerate(documents)}
        rows = [
            (r["ord"], r["passage_id"], position[r["doc_id"]], r["start"], r["end"])
            for r in self._scan(names["passages"], ["doc_id", "ord", "start", "end"])
            if r["doc_id"] in position
        ]
        rows.sort(key=lambda r: (r[2], r[0]))  # article order, then the article's own order
        records = np.array([r[1:] for r in rows], dtype=PASSAGE_RECORD)
        if outside_articles(records, documents):
            raise MilvusUnavailable(f"a passage in {self.url} lies outside its article",
                                    remedy=REBUILD)  # fmt: skip
        passage_ids = {int(pid): row for row, pid in enumerate(records["passage_id"].tolist())}
        return Passages(records, documents), passage_ids

    def _read_sentences(self, names, passages, passage_ids):
        rows = [
            (passage_ids[r["passage_id"]], r["ord"], r["sentence_id"], r["start"], r["end"])
            for r in self._scan(names["sentences"], ["passage_id", "ord", "start", "end"])
            if r["passage_id"] in passage_ids
        ]
        rows.sort()
        records = np.array([(sid, row, s, e) for row, _, sid, s, e in rows],
                           dtype=SENTENCE_RECORD)  # fmt: skip
        return Sentences(records, len(passages))

    def _read_quotes(self, names, documents):
        fields = ["doc_id", "speaker", "role", "start", "end", "kind", "attribution"]
        position = {doc_id: i for i, doc_id in enumerate(documents)}
        found = sorted(
            (r for r in self._scan(names["quotes"], ["ord", *fields]) if r["doc_id"] in position),
            key=lambda r: (position[r["doc_id"]], r["ord"]),  # article order, as embedded
        )
        return [
            Quote(r["speaker"] or None, r["role"] or None,
                  documents[r["doc_id"]].text[r["start"] : r["end"]], r["start"], r["end"],
                  r["kind"], r["attribution"], r["doc_id"])
            for r in found
        ]  # fmt: skip

    # -- writing

    def write(self, settings: Settings, manifest: dict, index: Index, current) -> dict:
        """A full rebuild into generation N+1 (switched by the alias), or, when `current` is
        this store's current generation and its passages were kept (same furniture, same
        dense index kind), an update in place that writes only the articles that changed."""
        from .stages import report_progress

        spec = dense_spec(len(index.sentences), settings.exact_search)
        searched = getattr(current, "search", None)
        number = self._current_number()
        in_place = (
            isinstance(searched, MilvusSearch) and searched.store.url == self.url
            and number is not None and searched.names == collection_names(self.prefix, number)
            and current.manifest.get("furniture") == manifest.get("furniture")
            and current.manifest["dense_index"].get("index_type") == spec["index_type"]
        )  # fmt: skip
        clock = time.perf_counter()
        if in_place:
            written = self._update(manifest, index, current, report_progress)
        else:
            written = self._rebuild(manifest, index, current, spec, number, report_progress)
        written["timings"] = dict(written.get("timings", {}),
                                  store_write_s=round(time.perf_counter() - clock, 3))  # fmt: skip
        return written

    def _rebuild(self, manifest, index, current, spec, number, progress) -> dict:
        client = self.client
        new = (number or 0) + 1
        names = collection_names(self.prefix, new)
        for collection in names.values():  # leftovers of a build that did not finish
            if self._call(client.has_collection, collection):
                self._call(client.drop_collection, collection)
        layouts = schemas(client, int(manifest["dimension"]))
        for kind, collection in names.items():
            self._call(client.create_collection, collection, schema=layouts[kind],
                       index_params=index_params(client, kind, spec),
                       consistency_level=CONSISTENCY)  # fmt: skip
        if current is not None and current.vectors is None:
            _fill_kept_vectors(index, current)
        vocabulary = {"terms": [], "df": []}
        all_rows = range(len(index.passages))
        self._write_articles(names, index, list(index.documents), 0, all_rows, vocabulary,
                             progress)  # fmt: skip
        return self._switch(names, manifest, index, vocabulary, 0, spec, new, new_generation=True)

    def _update(self, manifest, index, current, progress) -> dict:
        names = current.search.names
        old, new = current.documents, index.documents
        removed = [doc_id for doc_id in old if doc_id not in new]
        added = [doc_id for doc_id in new if doc_id not in old]
        vocabulary = {"terms": list(current.search.vocabulary["terms"]),
                      "df": list(current.search.vocabulary["df"])}  # fmt: skip
        rows = [r for doc_id in added for r in index.passages.rows_of(doc_id)]
        start = current.manifest["milvus"]["next"]
        # Rows an earlier, failed update left of these articles (it never switched): gone first,
        # so that nothing is held twice.
        for kind in ("passages", "sentences", "quotes"):
            self._delete(names[kind], "doc_id", added)
        self._delete(names["articles"], "doc_id", added, 'kind == "article" and ')
        self._write_articles(names, index, added, start, rows, vocabulary, progress)
        if removed:  # the articles leave first; their searchable rows after the switch
            self._delete(names["articles"], "doc_id", removed, 'kind == "article" and ')
        version = current.manifest["milvus"]["version"] + 1
        spec = current.manifest["dense_index"]
        written = self._switch(
            names,
            manifest,
            index,
            vocabulary,
            version,
            spec,
            current.manifest["milvus"]["generation"],
            after=start,
        )
        for kind in ("passages", "sentences", "quotes"):
            self._delete(names[kind], "doc_id", removed)
        for name in ("manifest", "files", "terms"):  # readers may still read version - 1
            self._delete(
                names["articles"], "doc_id", [f"{name}.v{version - 2}"], 'kind == "blob" and '
            )
        return written

    def _delete(self, collection: str, field: str, values: list[str], also: str = "") -> None:
        for first in range(0, len(values), 1000):
            chunk = values[first : first + 1000]
            self._call(self.client.delete, collection,
                       filter=f"{also}{field} in {json.dumps(chunk)}")  # fmt: skip

    def _write_articles(self, names, index, doc_ids, start, rows, vocabulary, progress):
        """Passages, sentences and quotes of these articles, then the articles' own rows."""
        client = self.client
        first_ord = {"doc": start.get("doc", 0) if start else 0}
        first_ord.update({k: start.get(k, 0) if start else 0
                          for k in ("passage", "sentence", "quote")})  # fmt: skip
        weights = passage_weights(index.lexical, rows, vocabulary, index)
        documents, passages, sentences = index.documents, index.passages, index.sentences
        chosen = set(doc_ids)
        total = len(rows)
        batch: list[dict] = []
        sentence_batch: list[dict] = []
        for done, row in enumerate(rows, start=1):
            record = passages.records[row]
            doc = documents[passages.doc_ids[int(record["doc"])]]
            source, published = fit(doc.source, 1024), fit(doc.meta.get("published"), 32)
            batch.append({
                "passage_id": int(record["passage_id"]), "doc_id": doc.doc_id,
                "ord": first_ord["passage"] + row, "start": int(record["start"]),
                "end": int(record["end"]), "source": source, "published": published,
                "terms": weights[row],
            })  # fmt: skip
            for i in range(int(sentences.bounds[row]), int(sentences.bounds[row + 1])):
                sid, _, s_start, s_end = sentences.records[i].tolist()
                sentence_batch.append({
                    "sentence_id": sid, "passage_id": int(record["passage_id"]),
                    "doc_id": doc.doc_id, "ord": first_ord["sentence"] + i, "start": s_start,
                    "end": s_end, "source": source, "published": published,
                    "vector": index.vectors[i].tolist(),
                })  # fmt: skip
            if len(batch) >= WRITE_BATCH or done == total:
                self._call(client.insert, names["passages"], batch)
                self._call(client.insert, names["sentences"], sentence_batch)
                batch, sentence_batch = [], []
                progress("write", done, total + 1)
        quotes = [
            {"ord": first_ord["quote"] + i, "doc_id": q.doc_id, "speaker": q.speaker or "",
             "role": fit(q.role, 1024), "start": q.start, "end": q.end, "kind": q.kind,
             "attribution": q.attribution, "none": NO_VECTOR}
            for i, q in enumerate(index.quotes) if q.doc_id in chosen
        ]  # fmt: skip
        for first in range(0, len(quotes), WRITE_BATCH):
            self._call(client.insert, names["quotes"], quotes[first : first + WRITE_BATCH])
        article_rows = []
        for position, doc_id in enumerate(index.documents):
            if doc_id not in chosen:
                continue
            doc = documents[doc_id]
            chunks = text_chunks(doc.text)
            header = {
                "title": doc.title,
                "source": doc.source,
                "meta": doc.meta,
                "speakers": index.doc_speakers.get(doc_id, {}),
                "parts": len(chunks),
            }
            ord_ = first_ord["doc"] + position
            for part, body in enumerate([json.dumps(header), *chunks]):
                article_rows.append({"key": f"doc:{doc_id}#{part:06d}", "kind": "article",
                                     "doc_id": doc_id, "part": part, "ord": ord_,
                                     "body": body, "none": NO_VECTOR})  # fmt: skip
            if len(article_rows) >= WRITE_BATCH:
                self._call(client.insert, names["articles"], article_rows)
                article_rows = []
        if article_rows:
            self._call(client.insert, names["articles"], article_rows)

    def _switch(self, names, manifest, index, vocabulary, version, spec, number, after=None,
                new_generation=False) -> dict:  # fmt: skip
        """Write this version's manifest, files and vocabulary, then make it current."""
        client = self.client
        start = after or {}
        manifest = dict(manifest, dense_index=spec, generation=f"gen-{number:06d}")
        manifest["milvus"] = {
            "generation": number, "version": version, "prefix": self.prefix,
            "next": {  # the orders new rows take (rows are never renumbered)
                "doc": start.get("doc", 0) + len(index.documents),
                "passage": start.get("passage", 0) + len(index.passages),
                "sentence": start.get("sentence", 0) + len(index.sentences),
                "quote": start.get("quote", 0) + len(index.quotes),
            },
        }  # fmt: skip
        files = {f.path: [f.sha256, list(f.doc_ids)] for f in index.files.values()}
        # A failed attempt at this version may have left more chunks than this one writes.
        self._delete(names["articles"], "doc_id",
                     [f"{name}.v{version}" for name in ("manifest", "files", "terms")],
                     'kind == "blob" and ')  # fmt: skip
        rows = [
            *self._blob_rows(f"manifest.v{version}", json.dumps(manifest)),
            *self._blob_rows(f"files.v{version}", json.dumps(files)),
            *self._blob_rows(f"terms.v{version}", json.dumps(vocabulary)),
        ]
        for first in range(0, len(rows), WRITE_BATCH):
            self._call(client.upsert, names["articles"], rows[first : first + WRITE_BATCH])
        for collection in names.values():
            self._call(client.flush, collection)
            self._call(client.load_collection, collection)
        self._call(client.upsert, names["articles"],
                   [{"key": "current", "kind": "current", "doc_id": "", "part": version,
                     "ord": 0, "body": "", "none": NO_VECTOR}])  # fmt: skip
        self._call(client.flush, names["articles"])
        if new_generation:  # the alias switches to it
            aliases = self._call(client.list_aliases).get("aliases", [])
            if self.prefix in aliases:
                self._call(client.alter_alias, names["articles"], self.prefix)
            else:
                self._call(client.create_alias, names["articles"], self.prefix)
            self._drop_before(number - 1)
        return manifest

    def _drop_before(self, keep_from: int) -> None:
        """Drop generations older than `keep_from` (the previous one stays for readers that
        loaded it a moment ago)."""
        for collection in self._call(self.client.list_collections):
            if collection.startswith(f"{self.prefix}_g") and collection.endswith(KINDS):
                with contextlib.suppress(ValueError, IndexError):
                    if generation_of(collection) < keep_from:
                        self._call(self.client.drop_collection, collection)


def _fill_kept_vectors(index: Index, current: Index) -> None:
    """Vectors of sentences `current` already held, read back from it (the sync leaves them
    unset when the current index keeps no vectors of its own)."""
    kept = np.flatnonzero(current.sentences.positions(index.sentences.ids) >= 0)
    for first in range(0, len(kept), 1000):
        rows = kept[first : first + 1000]
        index.vectors[rows] = current.searcher.vectors(index.sentences.ids[rows])
