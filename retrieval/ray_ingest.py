"""Ingest on a Ray cluster: `newsqa ingest --ray auto|ADDRESS [--ray-workers N]`.

The stages of update.py's sync (stages.LocalWork) run as Ray Data `map_batches` stages instead
of in this process, and give the same articles, passages, quotes and vectors (a test compares them):
    load    parse new and changed files                (tasks)
    split   passages of each article                   (tasks)
    quotes  quotes and speaker roles of new articles   (tasks)
    embed   sentence vectors                           (actors: the model is loaded once per
                                                        actor; one GPU each when the cluster
                                                        has GPUs)
The driver (this process) keeps what needs the whole corpus: de-duplication, the corpus's
recurring lines, BM25, and writing the store (in batches; any store, see backend.py).

Retries are idempotent by content id: every row carries its article's id (a hash of its text)
or its sentence's position, and the driver keeps results by that key, so a task that a killed
worker ran twice cannot add an article twice, and one that never came back is reported as
lost (nothing is written then). An article whose split or quotes raise is skipped with a
warning naming the stage; the rest go on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import numpy as np

from .config import NewsqaError, Settings
from .documents import Document
from .quotes import Quote

# Rows per map_batches call: articles are small, sentences are encoded in the model's batches.
ARTICLES_PER_BATCH = 64
SENTENCES_PER_BATCH = 1024
FILES_PER_BATCH = 8
TASK_RETRIES = 3  # a task (or actor) whose worker died is run again this many times


def connect(address: str) -> None:
    """Join the Ray cluster at `address` ("auto": the one this machine belongs to, else a new
    local one with every core)."""
    import ray

    if address != "auto":
        _check_reachable(address)
    if ray.is_initialized():
        return
    options = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    try:
        if address == "auto":
            try:
                ray.init(address="auto", **options)
            except ConnectionError:  # no cluster running here: start one
                ray.init(num_cpus=os.cpu_count() or 1, **options)
        else:
            ray.init(address=address, **options)
    except NewsqaError:
        raise
    except Exception as err:  # noqa: BLE001 - Ray raises many kinds
        raise NewsqaError(
            f"cannot reach the Ray cluster at {address} ({str(err).splitlines()[0][:200]}); "
            "start it (`ray start --head`), or use --ray auto for a local one"
        ) from err
    import logging

    import ray.data

    for name in ("ray", "ray.data"):  # its INFO lines on every dataset; warnings still show
        logging.getLogger(name).setLevel(logging.WARNING)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # newsqa reports progress per stage itself


def _check_reachable(address: str) -> None:
    """Fail in seconds, not minutes: Ray retries an address nobody listens on for minutes
    (it was still at it after 2 min here)."""
    import socket

    where = address.split("://", 1)[-1]
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        raise NewsqaError(
            f"--ray {address!r} is not a Ray address: use auto, HOST:PORT (the head's GCS port, "
            "6379 by default) or ray://HOST:10001"
        )
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except OSError as err:
        raise NewsqaError(
            f"cannot reach the Ray cluster at {address} ({err.strerror or err}); start it "
            "(`ray start --head`), or use --ray auto for a local one"
        ) from err


# ---------------------------------------------------------------- the stages (on workers)


def _parse_batch(batch: dict) -> dict:
    from .documents import parse_each

    jobs = list(zip(batch["raw"], batch["suffix"], batch["display"], strict=True))
    parsed = parse_each([(bytes(raw), suffix, display) for raw, suffix, display in jobs])
    rows = []
    for items, problem in parsed:
        rows.append(json.dumps({
            "items": [item if isinstance(item, str) else _doc_json(item) for item in items],
            "problem": problem,
        }))  # fmt: skip
    return {"position": batch["position"], "parsed": np.array(rows, dtype=object)}


def _doc_json(doc: Document) -> dict:
    return {"doc_id": doc.doc_id, "title": doc.title, "source": doc.source, "text": doc.text,
            "meta": doc.meta}  # fmt: skip


def _doc_of(row: dict) -> Document:
    return Document(row["doc_id"], row["title"], row["source"], row["text"], row["meta"])


def _split_batch(batch: dict, chunking: dict, furniture: list[str]) -> dict:
    from dataclasses import replace

    from .passages import split_document

    settings = replace(Settings(), **chunking)
    learned = frozenset(furniture)
    out = []
    for text in batch["doc"]:
        row = json.loads(text)
        try:
            passages = split_document(_doc_of(row), settings, furniture=learned)
            row["passages"] = [[p.passage_id, p.start, p.end] for p in passages]
        except Exception as err:  # noqa: BLE001 - reported per article, the rest go on
            row["failed"] = f"split: {err.__class__.__name__}: {err}"
        out.append(json.dumps(row))
    return {"doc": np.array(out, dtype=object)}


def _quotes_batch(batch: dict) -> dict:
    from .quotes import extract_quotes, speaker_roles

    out = []
    for text in batch["doc"]:
        row = json.loads(text)
        if row.get("quoted") and "failed" not in row:
            try:
                doc = _doc_of(row)
                row["quotes"] = [
                    [q.speaker, q.role, q.start, q.end, q.kind, q.attribution]
                    for q in extract_quotes(doc)
                ]
                row["speakers"] = speaker_roles(doc)
            except Exception as err:  # noqa: BLE001 - reported per article
                row["failed"] = f"quotes: {err.__class__.__name__}: {err}"
        out.append(json.dumps(row))
    return {"doc": np.array(out, dtype=object)}


class _Encoder:
    """One model per actor, loaded once; encodes a batch of sentences."""

    def __init__(self, model: str, crash_marker: str | None = None):
        from .encoders import load_encoder

        self.encoder = load_encoder(model)
        self.crash_marker = crash_marker

    def __call__(self, batch: dict) -> dict:
        if self.crash_marker and not os.path.exists(self.crash_marker):
            # Tests: this worker dies once, mid-ingest, as a preempted machine would.
            open(self.crash_marker, "w").close()  # noqa: SIM115
            os._exit(1)
        vectors = self.encoder.encode(list(batch["text"]))
        return {"position": batch["position"], "vector": list(np.asarray(vectors, np.float32))}


# ---------------------------------------------------------------- the driver's side


class RayWork:
    """update.LocalWork's stages on a Ray cluster (use with update.working_on)."""

    def __init__(self, address: str = "auto", workers: int | None = None,
                 crash_marker: str | None = None) -> None:  # fmt: skip
        connect(address)
        import ray

        self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)) // 2)
        self.gpus = 1 if ray.cluster_resources().get("GPU", 0) >= self.workers else 0
        self.crash_marker = crash_marker
        self.failures: list[str] = []  # the last articles() call's "stage: source: why"

    def parse(self, jobs):
        import ray.data

        if not jobs:
            return []
        items = [{"position": i, "raw": raw, "suffix": suffix, "display": display}
                 for i, (raw, suffix, display) in enumerate(jobs)]  # fmt: skip
        dataset = _map(ray.data.from_items(items), _parse_batch, batch_size=FILES_PER_BATCH,
                       max_retries=TASK_RETRIES)  # fmt: skip
        found = _keyed(dataset, "position", "parsed", len(jobs), "load")
        parsed = []
        for i in range(len(jobs)):
            row = json.loads(found[i])
            items = [item if isinstance(item, str) else _doc_of(item) for item in row["items"]]
            parsed.append((items, row["problem"]))
        return parsed

    def articles(self, docs, settings, furniture, quoted):
        import ray.data

        from .passages import Passage
        from .stages import report_progress

        self.failures = []  # this call's
        if not docs:
            return {}
        rows = [{"doc": json.dumps(dict(_doc_json(d), quoted=d.doc_id in quoted))} for d in docs]
        split = _map(ray.data.from_items(rows), _split_batch, batch_size=ARTICLES_PER_BATCH,
                     fn_kwargs={"chunking": settings.chunking(), "furniture": sorted(furniture)},
                     max_retries=TASK_RETRIES)  # fmt: skip
        dataset = _map(split, _quotes_batch, batch_size=ARTICLES_PER_BATCH,
                       max_retries=TASK_RETRIES)  # fmt: skip
        by_id = {doc.doc_id: doc for doc in docs}
        done: dict[str, tuple] = {}
        for batch in dataset.iter_batches(batch_format="numpy", batch_size=ARTICLES_PER_BATCH):
            for text in batch["doc"]:
                row = json.loads(text)
                doc = by_id[row["doc_id"]]
                if "failed" in row:
                    self.failures.append(f"{row['failed'].split(':')[0]}: {doc.source}: "
                                         f"{row['failed'].split(': ', 1)[1]}")  # fmt: skip
                    continue
                passages = [Passage(pid, doc.doc_id, s, e, doc.text[s:e])
                            for pid, s, e in row["passages"]]  # fmt: skip
                if row["doc_id"] in quoted:
                    quotes = [Quote(sp, role, doc.text[s:e], s, e, kind, how, doc.doc_id)
                              for sp, role, s, e, kind, how in row["quotes"]]  # fmt: skip
                    done[row["doc_id"]] = (passages, quotes, row["speakers"])
                else:
                    done[row["doc_id"]] = (passages, None, None)
            report_progress("split", len(done), len(docs))
        lost = len(by_id) - len(done) - len(self.failures)
        if lost > 0:
            raise NewsqaError(f"Ray lost {lost} articles in split/quotes; nothing was written")
        return done

    def embed(self, model: str, texts: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        import ray.data

        from .stages import report_progress

        if not texts:
            return
        dataset = _map(
            ray.data.from_items([{"position": i, "text": text} for i, text in enumerate(texts)]),
            _Encoder, batch_size=SENTENCES_PER_BATCH,
            fn_constructor_kwargs={"model": model, "crash_marker": self.crash_marker},
            compute=ray.data.ActorPoolStrategy(size=self.workers), num_gpus=self.gpus,
            max_restarts=TASK_RETRIES, max_task_retries=TASK_RETRIES,
        )  # fmt: skip
        seen = np.zeros(len(texts), dtype=bool)
        report_progress("embed", 0, len(texts))
        for batch in dataset.iter_batches(batch_format="numpy", batch_size=SENTENCES_PER_BATCH):
            positions = np.asarray(batch["position"], dtype=np.int64)
            fresh = ~seen[positions]  # a retried batch's second copy adds nothing
            seen[positions] = True
            vectors = np.stack(list(batch["vector"])).astype(np.float32)
            yield positions[fresh], vectors[fresh]
            report_progress("embed", int(seen.sum()), len(texts))
        if not seen.all():
            raise NewsqaError(
                f"Ray lost {int((~seen).sum())} sentences in embed; nothing was written"
            )

    def dimension(self, model: str) -> int:
        from .encoders import load_encoder

        return load_encoder(model).dimension


def _map(dataset, fn, **options):
    """dataset.map_batches(fn) on numpy batches. Retries are bounded (Ray Data's default is
    to retry a dying task or actor forever, which would hang an ingest that always kills its
    worker, e.g. out of memory). Ray 2.60 deprecates passing them as remote args but names no
    replacement; the version is pinned (pyproject.toml), so the warning is silenced here."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated")
        return dataset.map_batches(fn, batch_format="numpy", **options)


def _keyed(dataset, key: str, value: str, expected: int, stage: str) -> dict:
    found = {}
    for batch in dataset.iter_batches(batch_format="numpy", batch_size=256):
        for k, v in zip(batch[key], batch[value], strict=True):
            found.setdefault(int(k), v)  # a retried task's second copy adds nothing
    if len(found) != expected:
        raise NewsqaError(f"Ray lost {expected - len(found)} files in {stage}; nothing was written")
    return found
