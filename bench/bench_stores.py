"""The embedded store (FAISS + bm25s) against the Milvus Lite store on real text, in one run;
then Ray ingest with 1 and 2 workers against the single-process pipeline.

    .venv/bin/python bench/bench_stores.py --corpus /tmp/reuters --ray-corpus /tmp/reuters-1

--corpus: a folder of articles (all of ../shared/data/reuters21578's .sgm files: 18,038
articles, 31,075 passages, 136,383 sentences); its embedded index is built in --work once
(embedding is the same for both stores, and is reported from that build's manifest). Then:
  store stage  the same vectors and BM25 written by each store (FAISS: IVF trained and filled,
               files written; Milvus: collections inserted, flushed, indexed, loaded)
  queries      in-process answers (k=5, hybrid), the two stores taking turns per question
  recall@10    of each store's dense side against exact search over every vector
  HTTP         `newsqa serve` of each store, one client, /api/ask
  size         disk of each store; resident memory of its server per passage (Milvus Lite
               runs inside the server's process)
  Ray          a smaller corpus (--ray-corpus) ingested in process, then on a local Ray cluster
               with 1 and 2 embedding workers
Prints markdown tables (copied into bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from bench_load import answering, free_port, questions, run_level  # noqa: E402

from retrieval import Settings, ask, build_index, open_index  # noqa: E402
from retrieval.milvus import MilvusStore, close_clients  # noqa: E402

PROJECT = BENCH.parent


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def exact_top(index, query: np.ndarray, k: int) -> list[int]:
    """Top k passage rows by best sentence cosine, over every vector (the truth)."""
    vectors = np.asarray(index.vectors)
    scores = vectors @ query
    order = np.argsort(-scores)[: k * 20]
    rows, seen = [], set()
    for i in order:
        row = int(index.sentences.rows[i])
        if row not in seen:
            seen.add(row)
            rows.append(row)
        if len(rows) == k:
            break
    return rows


def store_stage(embedded, work: Path) -> dict:
    """Both stores write the same index (vectors, BM25) from scratch."""
    import bm25s

    from retrieval.dense import build_ivf, choose_dense
    from retrieval.lexical import tokenize
    from retrieval.store import write_generation

    figures = {}
    vectors = np.asarray(embedded.vectors)
    clock = time.perf_counter()
    lexical = bm25s.BM25()
    lexical.index(tokenize([p.text for p in embedded.passages]), show_progress=False)
    figures["bm25_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    spec = choose_dense(len(vectors))
    dense = build_ivf(spec, vectors, embedded.sentences.ids)
    copy = dataclasses.replace(embedded, dense=dense, lexical=lexical, search=None)
    folder = work / "faiss-copy"
    shutil.rmtree(folder, ignore_errors=True)
    settings = dataclasses.replace(embedded.settings, index_dir=folder)
    folder.mkdir(parents=True)
    manifest = dict(embedded.manifest, dense_index=spec)
    write_generation(settings, manifest, copy)
    figures["faiss_s"] = time.perf_counter() - clock
    milvus_settings = dataclasses.replace(
        embedded.settings, store=f"milvus://{work}/milvus/newsqa.db", index_dir=work / "lock"
    )
    shutil.rmtree(work / "milvus", ignore_errors=True)
    clock = time.perf_counter()
    store = MilvusStore(milvus_settings)
    store.write(milvus_settings, dict(embedded.manifest), copy, None)
    figures["milvus_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    milvus = store.load(milvus_settings)
    figures["milvus_load_s"] = time.perf_counter() - clock
    figures["faiss_disk"] = du(folder)
    figures["milvus_disk"] = du(work / "milvus")
    return figures, milvus, milvus_settings


def serve(settings: Settings, store: str | None) -> tuple[subprocess.Popen, int]:

    port = free_port()
    env = dict(os.environ, NEWSQA_CORPUS=str(settings.corpus_dir),
               NEWSQA_INDEX=str(settings.index_dir), HF_HUB_OFFLINE="1")  # fmt: skip
    env.pop("NEWSQA_STORE", None)
    if store:
        env["NEWSQA_STORE"] = store
    log = Path(tempfile.mkstemp(prefix="bench-serve-", suffix=".log")[1])
    with log.open("w") as err:
        server = subprocess.Popen([str(Path(sys.executable).with_name("newsqa")), "serve",
                                   "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=err)  # fmt: skip
    if not answering(server, port, 300):
        server.kill()
        raise SystemExit(f"the server did not start: {log.read_text()[-500:]}")
    return server, port


def ray_runs(corpus: Path, workers: list[int]) -> list[dict]:
    from retrieval.ray_ingest import RayWork, connect
    from retrieval.stages import working_on

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(corpus_dir=corpus, index_dir=Path(tmp) / "local")
        clock = time.perf_counter()
        index = build_index(settings)
        seconds = time.perf_counter() - clock
        rows.append({"how": "one process", "s": seconds, "sentences": len(index.sentences),
                     "passages": len(index.passages)})  # fmt: skip
        clock = time.perf_counter()
        connect("auto")
        started = time.perf_counter() - clock
        for count in workers:
            settings = dataclasses.replace(settings, index_dir=Path(tmp) / f"ray{count}")
            clock = time.perf_counter()
            with working_on(RayWork("auto", workers=count)):
                index = build_index(settings)
            rows.append({"how": f"Ray, {count} embedding worker{'s' * (count > 1)}",
                         "s": time.perf_counter() - clock, "sentences": len(index.sentences),
                         "passages": len(index.passages), "startup": started})  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--ray-corpus", type=Path)
    parser.add_argument("--work", type=Path, default=BENCH / "out" / "stores")
    parser.add_argument("--index", type=Path, help="the corpus's embedded index (default: built "
                        "in --work)")  # fmt: skip
    parser.add_argument("--http-seconds", type=float, default=30)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(
        corpus_dir=args.corpus, index_dir=args.index or args.work / "index"
    )
    embedded = open_index(settings)
    timings = embedded.manifest.get("timings", {})
    n_passages, n_sentences = len(embedded.passages), len(embedded.sentences)
    print(f"corpus: {len(embedded.documents):,} articles, {n_passages:,} passages, "
          f"{n_sentences:,} sentences; embedding (shared by both stores): "
          f"{timings.get('embed_s', 0):.0f} s, "
          f"{n_sentences / max(timings.get('embed_s', 1), 1e-9):.0f} sentences/s\n")  # fmt: skip

    stage, milvus, milvus_settings = store_stage(embedded, args.work)
    texts = questions()
    latencies = {"embedded": [], "milvus": []}
    for index in (embedded, milvus):  # warm both
        for text in texts[:10]:
            ask(index, text, k=5)
    for _ in range(2):
        for text in texts:
            for name, index in (("embedded", embedded), ("milvus", milvus)):
                clock = time.perf_counter()
                ask(index, text, k=5)
                latencies[name].append((time.perf_counter() - clock) * 1000)
    recall = {"embedded": [], "milvus": []}
    vectors = embedded.encoder.encode(texts)
    for query in vectors:
        truth = set(exact_top(embedded, query, 10))
        for name, index in (("embedded", embedded), ("milvus", milvus)):
            found = {row for row, _ in index.searcher.dense(query, 10)}
            recall[name].append(len(found & truth) / 10)
    close_clients()  # Milvus Lite: one process at a time opens the file; the server's turn

    served = {}
    for name, store in (("embedded", None), ("milvus", milvus_settings.store)):
        server, port = serve(milvus_settings if store else settings, store)
        try:
            result = run_level(port, 1, args.http_seconds, texts)
            result["rss"] = rss_kb(server.pid)
            served[name] = result
        finally:
            server.terminate()
            server.wait(timeout=60)

    print("| | embedded (FAISS + bm25s) | Milvus Lite | ratio |")
    print("|---|---|---|---|")
    faiss_rate = n_passages / stage["faiss_s"]
    milvus_rate = n_passages / stage["milvus_s"]
    print(f"| store stage (same vectors + BM25), passages/s | {faiss_rate:,.0f} "
          f"({stage['faiss_s']:.1f} s) | {milvus_rate:,.0f} ({stage['milvus_s']:.1f} s) | "
          f"{milvus_rate / faiss_rate:.2f} |")  # fmt: skip
    print(f"| BM25 scoring (both) | {stage['bm25_s']:.1f} s | {stage['bm25_s']:.1f} s | |")
    print(f"| load for serving | | {stage['milvus_load_s']:.1f} s | |")
    for p in (0.5, 0.95):
        a, b = pct(latencies["embedded"], p), pct(latencies["milvus"], p)
        print(f"| in-process answer p{int(p * 100)} | {a:.1f} ms | {b:.1f} ms | {b / a:.2f} |")
    for key in ("p50", "p95"):
        a, b = served["embedded"][key], served["milvus"][key]
        print(f"| HTTP answer {key}, 1 client | {a:.1f} ms | {b:.1f} ms | {b / a:.2f} |")
    a, b = served["embedded"]["rate"], served["milvus"]["rate"]
    print(f"| HTTP answers/s, 1 client | {a:.0f} | {b:.0f} | {b / a:.2f} |")
    a, b = statistics.mean(recall["embedded"]), statistics.mean(recall["milvus"])
    print(f"| dense recall@10 vs exact ({len(texts)} questions) | {a:.3f} | {b:.3f} | |")
    a, b = stage["faiss_disk"] / n_passages, stage["milvus_disk"] / n_passages
    print(f"| disk per passage | {a / 1024:.1f} kB | {b / 1024:.1f} kB | {b / a:.2f} |")
    a = served["embedded"]["rss"] * 1024 / n_passages
    b = served["milvus"]["rss"] * 1024 / n_passages
    print(f"| server memory per passage (RSS; Milvus Lite runs inside it) | {a / 1024:.1f} kB "
          f"| {b / 1024:.1f} kB | {b / a:.2f} |")  # fmt: skip

    if args.ray_corpus:
        rows = ray_runs(args.ray_corpus, [1, 2])
        base = rows[0]["sentences"] / rows[0]["s"]
        print(
            f"\nRay ingest ({rows[0]['passages']:,} passages, {rows[0]['sentences']:,} "
            f"sentences; local cluster started in {rows[1]['startup']:.1f} s, not counted)\n"
        )
        print("| ingest | seconds | sentences/s | vs one process |")
        print("|---|---|---|---|")
        for row in rows:
            rate = row["sentences"] / row["s"]
            print(f"| {row['how']} | {row['s']:.1f} | {rate:.0f} | {rate / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
