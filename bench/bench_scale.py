"""The scale benchmark: ingest, index size, memory and query latency from 1k to 1M passages,
each figure next to the naive pipeline (torch query encoder + exact flat index) in the same run.

    .venv/bin/python bench/bench_scale.py                       # 1k 10k 100k 1M (~1 h)
    .venv/bin/python bench/bench_scale.py --sizes 1000 10000    # a subset; results merge
    .venv/bin/python bench/bench_scale.py --report              # tables + plot from the JSON

Writes bench/out/scale/results.json and bench/out/scale/results.png and prints markdown tables.
Corpora are seeded synthetic news (bench/synthetic.py), 10 one-passage paragraphs per article.
Vectors: 1k and 10k are embedded in the run; 100k were embedded by bench/embed_cache.py (same
encoder, same texts; its timing is reported as the embed stage); 1M are the real 100k vectors
repeated with Gaussian noise (cosine ~0.9 to their source), so the 1M embed stage is not run.
Query latency is measured in a fresh process per pipeline, as a user's process would load the
index; over HTTP against `newsqa serve`. Servers bind 127.0.0.1 and are stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(PROJECT))

import synthetic  # noqa: E402
from embed_cache import CACHE, CachedEncoder, cached_vectors, corpus_for, sentence_texts  # noqa: E402

from retrieval import Settings  # noqa: E402

OUT = BENCH / "out" / "scale"
NEWSQA = str(Path(sys.executable).parent / "newsqa")
SEEDS = PROJECT / "corpus"
STAGES = ("embed", "dense", "lexical", "fuse", "cite")


# ---------------------------------------------------------------- inputs


def questions(count: int, seed: int = 11) -> list[str]:
    """Search questions about the synthetic corpus (no "what did X say": those route to quotes)."""
    rng = random.Random(seed)
    forms = [
        lambda: (
            f"How many comments did {rng.choice(synthetic.TOPICS)} draw in "
            f"{rng.choice(synthetic.PLACES)}?"
        ),
        lambda: f"Why do analysts expect that {rng.choice(synthetic.CLAIMS)}?",
        lambda: (
            f"{rng.choice(synthetic.FIRST)} {rng.choice(synthetic.LAST)} on "
            f"{rng.choice(synthetic.TOPICS)}"
        ),
        lambda: f"Who {rng.choice(synthetic.VERBS)} that {rng.choice(synthetic.CLAIMS)}?",
        lambda: (
            f"How long has the debate over {rng.choice(synthetic.TOPICS)} lasted in "
            f"{rng.choice(synthetic.PLACES)}?"
        ),
    ]
    return [rng.choice(forms)() for _ in range(count)]


def noisy_vectors(base: np.ndarray, count: int, seed: int = 5) -> np.ndarray:
    """`count` unit vectors: base rows repeated, each with Gaussian noise (cosine ~0.9)."""
    rng = np.random.default_rng(seed)
    out = np.empty((count, base.shape[1]), dtype=np.float32)
    for first in range(0, count, 200_000):
        rows = np.arange(first, min(first + 200_000, count)) % len(base)
        chunk = base[rows] + rng.normal(0, 0.025, (len(rows), base.shape[1])).astype(np.float32)
        out[first : first + len(rows)] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


class NoisyEncoder:
    """The 1M run's stand-in encoder: real 100k vectors plus noise, nothing embedded."""

    def __init__(self, base: np.ndarray):
        self.base, self.dimension, self.name = base, base.shape[1], "noisy"

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return noisy_vectors(self.base, len(texts))


def percentiles(values: list[float]) -> dict:
    ms = np.array(values) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95))}


def disk_bytes(folder: Path) -> dict:
    sizes: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            kind = "lexical" if "lexical" in path.parts else path.name
            sizes[kind] = sizes.get(kind, 0) + path.stat().st_size
    return sizes


def rss() -> dict:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("RssAnon", "RssFile", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


# ---------------------------------------------------------------- ingest


def ingest(size: int, root: Path, raw_rate: float) -> dict:
    """Build the index of `size` passages through the real pipeline; time every stage."""
    import retrieval.update as update

    settings = Settings(corpus_dir=corpus_for(size, CACHE), index_dir=root / f"index-{size}")
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    note, embed_s = "embedded in this run", None
    real_loader = update.load_encoder
    if size >= 1_000_000:
        _, real, _ = cached_vectors(100_000, settings)
        update.load_encoder = lambda model: NoisyEncoder(real)
        note = "not embedded: real 100k vectors + noise; embed = sentences / raw encoder rate"
    elif size >= 100_000:
        texts, vectors, record = cached_vectors(size, settings)
        update.load_encoder = lambda model: CachedEncoder(texts, vectors)
        note = (
            f"embedded once by bench/embed_cache.py ({record['embed_s']:.0f} s of encoder time, "
            "on a machine shared with other work), reused; embed = sentences / raw encoder rate"
        )
    try:
        index, done = update.sync(settings, rebuild=True)
    finally:
        update.load_encoder = real_loader
    t, m = done.timings, index.manifest
    if size >= 100_000:
        embed_s = m["sentences"] / raw_rate
    stage = {
        "load_s": t["load_s"],
        "split_s": t["split_and_quotes_s"],
        "embed_s": t["embed_s"] if embed_s is None else embed_s,
        "index_write_s": t["dense_index_s"] + t["lexical_index_s"] + t["write_s"],
    }
    pipeline_s = sum(stage.values())
    naive_index_s = _naive_flat_write(index.vectors, root)
    naive_s = stage["load_s"] + stage["split_s"] + m["sentences"] / raw_rate + naive_index_s
    return {
        "passages": m["passages"], "sentences": m["sentences"], "documents": m["documents"],
        "dense_index": m["dense_index"], "vectors": note, "stages_s": stage, "raw": t,
        "pipeline_s": pipeline_s, "naive_s": naive_s, "naive_index_write_s": naive_index_s,
        "passages_per_s": m["passages"] / pipeline_s,
        "raw_encoder_passages_per_s": raw_rate * m["passages"] / m["sentences"],
        "disk_bytes": disk_bytes(settings.index_dir / m["generation"]),
        "index_dir": str(settings.index_dir), "corpus_dir": str(settings.corpus_dir),
    }  # fmt: skip


def _naive_flat_write(vectors: np.ndarray, root: Path) -> float:
    import faiss

    started = time.perf_counter()
    flat = faiss.IndexFlatIP(vectors.shape[1])
    for first in range(0, len(vectors), 200_000):
        flat.add(np.ascontiguousarray(vectors[first : first + 200_000]))
    faiss.write_index(flat, str(root / "naive.faiss"))
    seconds = time.perf_counter() - started
    (root / "naive.faiss").unlink()
    return seconds


def raw_encoder_rate(sample: int = 4096) -> float:
    """Sentences per second of the bare torch encoder on corpus sentences (batch 32)."""
    from retrieval.encoders import load_encoder

    settings = Settings()
    texts = sentence_texts(corpus_for(1000, CACHE), settings)
    texts = (texts * (sample // len(texts) + 1))[:sample]
    encoder = load_encoder(settings.model)
    encoder.encode(texts[:64])
    started = time.perf_counter()
    encoder.encode(texts)
    return sample / (time.perf_counter() - started)


# ---------------------------------------------------------------- queries (own process)


def probe(index_dir: str, corpus_dir: str, naive: bool, count: int) -> dict:
    """Load the index and time `count` questions, per stage; runs in a fresh process.
    Memory: the process with libraries and query encoder ready is the baseline, so what grows
    after it is the index itself."""
    import bm25s
    import faiss  # noqa: F401

    from retrieval import ask, load_index
    from retrieval.bm25 import top_k
    from retrieval.encoders import load_encoder, load_query_encoder

    settings = Settings(Path(corpus_dir), Path(index_dir), exact_search=naive)
    encoder = load_encoder(settings.model) if naive else load_query_encoder(settings.model)
    encoder.encode(["warm up"])
    tiny = bm25s.BM25()  # loads the compiled BM25 kernel (and LLVM) before the baseline
    tiny.index(
        bm25s.tokenize(["a warm up", "another one"], show_progress=False), show_progress=False
    )
    top_k(tiny.scores, [0], 1)
    before = rss()
    started = time.perf_counter()
    index = load_index(settings)
    index.query_encoder = encoder
    load_s = time.perf_counter() - started
    # Warm means steady state: the files load_index reads ahead (asynchronously) are in the
    # page cache before timing, as they are in a server that has been up for a while.
    generation = Path(index_dir) / index.generation
    for path in [generation / "dense.faiss", *(generation / "lexical").glob("*.npy")]:
        if path.exists():
            with open(path, "rb") as handle:
                while handle.read(1 << 24):
                    pass
    loaded = rss()
    asked = questions(count + 5)
    for question in asked[:5]:
        ask(index, question)  # warm-up: first-call costs belong to cold start, measured apart
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    total = []
    for question in asked[5:]:
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        ask(index, question, timings=timings)
        total.append(time.perf_counter() - clock)
        for stage in STAGES:
            stages[stage].append(timings[stage])
    after = rss()
    return {
        "load_s": load_s, "rss_before": before, "rss_loaded": loaded, "rss_after": after,
        "end_to_end": percentiles(total), "stages": {s: percentiles(v) for s, v in stages.items()},
        "questions": count,
    }  # fmt: skip


def run_probe(result: dict, naive: bool, count: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--probe", result["index_dir"], result["corpus_dir"],
         "--queries", str(count), *(["--naive"] if naive else [])],
        capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- HTTP and cold start


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def naive_env() -> dict:
    return {**os.environ, "NEWSQA_ENCODER": "torch", "NEWSQA_EXACT_SEARCH": "1"}


def http_latency(result: dict, naive: bool, count: int) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/ask?"
    server = subprocess.Popen(
        [NEWSQA, "serve", "--corpus", result["corpus_dir"], "--index", result["index_dir"],
         "--port", str(port)], env=naive_env() if naive else os.environ,
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        started = time.perf_counter()
        _wait_for(url + urllib.parse.urlencode({"q": "port strike"}), 600)
        ready_s = time.perf_counter() - started
        times = []
        for question in questions(count + 5)[5:]:
            clock = time.perf_counter()
            with urllib.request.urlopen(url + urllib.parse.urlencode({"q": question}), timeout=60):
                pass
            times.append(time.perf_counter() - clock)
        return percentiles(times) | {"server_ready_s": ready_s, "questions": count}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def cold_ask(corpus: str, index: str, naive: bool, runs: int = 3) -> float:
    """`newsqa ask` process start to answer printed, median of `runs`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [NEWSQA, "ask", "How many comments did the port strike draw?", "--json",
             "--corpus", corpus, "--index", index], env=naive_env() if naive else os.environ,
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def make_run_ready(naive: bool) -> float:
    """`make run` (venv installed, index fresh) to the page's HTML served, seconds."""
    port = free_port()
    env = naive_env() if naive else dict(os.environ)
    started = time.perf_counter()
    server = subprocess.Popen(
        ["make", "-s", "run", f"PORT={port}"], cwd=PROJECT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/", 300)
        return time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


# ---------------------------------------------------------------- the dense index choice


def dense_sweep(queries: int = 200) -> list[dict]:
    """Exact vs IVF-SQ8 on the real 100k-passage sentence vectors (and the 1M index's noisy
    ones): latency of one question (k = 200, what dense_search fetches) and recall@10 against
    exact search, of the IVF's own top 10 (what answers use) and, for reference, after an
    exact re-rank of its top 200."""
    import faiss

    from retrieval import dense, records
    from retrieval.encoders import load_query_encoder

    settings = Settings()
    _, vectors, _ = cached_vectors(100_000, settings)
    encoder = load_query_encoder(settings.model)
    asked = encoder.encode(questions(queries, seed=23))
    rows = []
    for n in (10_000, 20_000, 40_000, 80_000, 160_000, len(vectors)):
        base = np.ascontiguousarray(vectors[:n])
        threshold, dense.EXACT_MAX_VECTORS = dense.EXACT_MAX_VECTORS, 0  # IVF at every size
        spec = dense.choose_dense(n)
        dense.EXACT_MAX_VECTORS = threshold
        started = time.perf_counter()
        ivf = dense.build_ivf(spec, base, np.arange(n, dtype=np.int64))
        rows += _sweep_rows(base, ivf, spec["factory"], time.perf_counter() - started, asked)
    big = OUT / "work" / "index-1000000"
    if (big / "manifest.json").exists():  # the 1M index as built: noisy copies of real vectors
        generation = big / json.loads((big / "manifest.json").read_text())["generation"]
        base = np.load(generation / "vectors.npy", mmap_mode="r")
        ivf = faiss.read_index(str(generation / "dense.faiss"))
        records = np.load(generation / "sentences.npy", mmap_mode="r")
        sentences = records.Sentences(records, int(records["row"][-1]) + 1)
        factory = f"IVF{faiss.extract_index_ivf(ivf).nlist},SQ8 (1M, noisy vectors)"
        rows += _sweep_rows(base, ivf, factory, None, asked, timed=20, label=sentences.positions)
    return rows


def _sweep_rows(base, ivf, factory, build_s, asked, timed=100, label=None) -> list[dict]:
    """Rows of the sweep for one set of vectors; `label` maps IVF ids to vector rows."""
    import faiss

    flat = faiss.IndexFlatIP(base.shape[1])
    for first in range(0, len(base), 200_000):
        flat.add(np.ascontiguousarray(base[first : first + 200_000]))
    truth, _ = flat.search(asked, 10)
    tenth = truth[:, 9:10] - 1e-6  # tie-aware: any vector scoring as high as the 10th counts
    rows = [{"vectors": len(base), "index": "exact", "nprobe": None,
             **_latency(flat, asked[:timed], 200), "recall_at_10": 1.0}]  # fmt: skip
    del flat
    for nprobe in (8, 16, 24, 32, 64):
        faiss.extract_index_ivf(ivf).nprobe = nprobe
        _, found = ivf.search(asked, 200)
        if label is not None:
            found = np.where(found >= 0, label(found.ravel()).reshape(found.shape), -1)
        safe = np.maximum(found, 0)
        exact = np.stack([np.asarray(base[r]) @ q for r, q in zip(safe, asked, strict=True)])
        exact[found < 0] = -np.inf
        reranked = np.sort(exact, axis=1)[:, ::-1][:, :10]
        rows.append({
            "vectors": len(base), "index": factory, "nprobe": nprobe, "build_s": build_s,
            **_latency(ivf, asked[:timed], 200),
            "recall_at_10": float(np.mean(exact[:, :10] >= tenth)),
            "recall_at_10_reranked": float(np.mean(reranked >= tenth)),
        })  # fmt: skip
    return rows


def _latency(index, asked: np.ndarray, k: int) -> dict:
    times = []
    for vector in asked:
        clock = time.perf_counter()
        index.search(vector.reshape(1, -1), k)
        times.append(time.perf_counter() - clock)
    return percentiles(times)


# ---------------------------------------------------------------- report


def load_results() -> dict:
    path = OUT / "results.json"
    return json.loads(path.read_text()) if path.exists() else {}


def save_results(results: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1))


def report(results: dict) -> str:
    lines = [f"machine: {results.get('machine', '?')}", ""]
    sizes = sorted((v for k, v in results.items() if k.startswith("size-")),
                   key=lambda r: r["passages"])  # fmt: skip
    lines += ["### Ingest (seconds per stage; pipeline vs naive = same encoder + flat index)", "",
              "| passages | sentences | load | split+quotes | embed | index+write | total | "
              "passages/s | raw encoder passages/s | pipeline / raw | naive total | ratio |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in sizes:
        s = r["stages_s"]
        lines.append(
            f"| {r['passages']:,} | {r['sentences']:,} | {s['load_s']:.1f} | {s['split_s']:.1f} "
            f"| {s['embed_s']:.1f} | {s['index_write_s']:.1f} | {r['pipeline_s']:.1f} | "
            f"{r['passages_per_s']:.0f} | {r['raw_encoder_passages_per_s']:.0f} | "
            f"{r['passages_per_s'] / r['raw_encoder_passages_per_s']:.2f} | "
            f"{r['naive_s']:.1f} | {r['pipeline_s'] / r['naive_s']:.2f}x |"
        )
    lines += ["", "### Index: dense choice, size on disk, memory (bytes per passage)", "",
              "| passages | dense index | disk total | vectors.npy | dense.faiss | lexical | "
              "meta.sqlite | RAM heap (anon) | RAM mapped (file) | naive heap | ratio |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in sizes:
        n, d = r["passages"], r["disk_bytes"]
        ours, naive = r.get("probe", {}), r.get("probe_naive", {})
        heap = _grown(ours, "RssAnon") / n if ours else float("nan")
        mapped = _grown(ours, "RssFile") / n if ours else float("nan")
        naive_heap = _grown(naive, "RssAnon") / n if naive else float("nan")
        dense = r["dense_index"].get("factory", "exact")
        lines.append(
            f"| {n:,} | {dense} | {sum(d.values()) / n:,.0f} | {d.get('vectors.npy', 0) / n:,.0f} "
            f"| {d.get('dense.faiss', 0) / n:,.0f} | {d.get('lexical', 0) / n:,.0f} | "
            f"{d.get('meta.sqlite', 0) / n:,.0f} | {heap:,.0f} | {mapped:,.0f} | "
            f"{naive_heap:,.0f} | {heap / naive_heap:.2f}x |"
        )
    lines += ["", "### Warm query latency, ms p50 / p95 (in process, fresh process per pipeline)",
              "", "| passages | " + " | ".join(STAGES) + " | end to end | naive end to end | "
              "ratio | HTTP | naive HTTP | ratio |", "|---" * 12 + "|"]  # fmt: skip
    for r in sizes:
        ours, naive = r.get("probe"), r.get("probe_naive")
        if not ours:
            continue
        cells = [_pp(ours["stages"][s]) for s in STAGES]
        e2e, ne2e = ours["end_to_end"], naive["end_to_end"]
        http, nhttp = r.get("http", {}), r.get("http_naive", {})
        lines.append(
            f"| {r['passages']:,} | " + " | ".join(cells) + f" | **{_pp(e2e)}** | {_pp(ne2e)} | "
            f"{ne2e['p50_ms'] / e2e['p50_ms']:.1f}x faster | {_pp(http)} | {_pp(nhttp)} | "
            + (f"{nhttp['p50_ms'] / http['p50_ms']:.1f}x faster |" if http else " |")
        )
    lines += ["", "### Cold start (seconds)", "", "| measure | ours | naive (torch) | ratio |",
              "|---|---|---|---|"]  # fmt: skip
    for name, (ours, naive) in results.get("cold", {}).items():
        lines.append(f"| {name} | {ours:.2f} | {naive:.2f} | {naive / ours:.1f}x faster |")
    if results.get("dense_sweep"):
        lines += [
            "",
            "### Dense index choice on real vectors (100k-passage corpus; one question, k=200)",
            "",
            "| vectors | index | nprobe | p50 ms | p95 ms | recall@10 "
            "(what answers use) | recall@10 after an exact re-rank of 200 |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in results["dense_sweep"]:
            lines.append(
                f"| {row['vectors']:,} | {row['index']} | {row['nprobe'] or ''} | "
                f"{row['p50_ms']:.2f} | {row['p95_ms']:.2f} | {row['recall_at_10']:.3f} | "
                f"{row.get('recall_at_10_reranked', 1.0):.3f} |"
            )  # fmt: skip
    return "\n".join(lines)


def _grown(probe_result: dict, field: str) -> float:
    return probe_result["rss_after"][field] - probe_result["rss_before"][field]


def _pp(p: dict) -> str:
    return f"{p['p50_ms']:.1f} / {p['p95_ms']:.1f}" if p else ""


def plot(results: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted((v for k, v in results.items() if k.startswith("size-") and v.get("probe")),
                   key=lambda r: r["passages"])  # fmt: skip
    n = [r["passages"] for r in sizes]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label, style in (("probe", "newsqa", "o-"), ("probe_naive", "naive", "s--")):
        left.plot(n, [r[key]["end_to_end"]["p50_ms"] for r in sizes], style, label=f"{label} p50")
        left.plot(n, [r[key]["end_to_end"]["p95_ms"] for r in sizes], style, alpha=0.4,
                  label=f"{label} p95")  # fmt: skip
        right.plot(n, [_grown(r[key], "RssAnon") / r["passages"] for r in sizes], style,
                   label=f"{label}: heap")  # fmt: skip
    right.plot(n, [sum(r["disk_bytes"].values()) / r["passages"] for r in sizes], "^:",
               label="newsqa: disk")  # fmt: skip
    right.axhline(2500, color="red", lw=0.8, label="target 2.5 kB")
    for axis, title, unit in ((left, "warm query, end to end", "ms"),
                              (right, "bytes per passage", "bytes")):  # fmt: skip
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("passages")
        axis.set_ylabel(unit)
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    left.axhline(8, color="red", lw=0.8)
    fig.tight_layout()
    fig.savefig(OUT / "results.png", dpi=110)


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip", nargs="*", default=[], help="cold http sweep")
    parser.add_argument("--report", action="store_true", help="only print tables and plot")
    parser.add_argument(
        "--probe-only", action="store_true", help="re-measure queries on the indexes built before"
    )
    parser.add_argument("--probe", nargs=2, metavar=("INDEX", "CORPUS"), help=argparse.SUPPRESS)
    parser.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(*args.probe, args.naive, args.queries)))
        return
    results = load_results()
    if not args.report:
        results["machine"] = _machine()
        work = OUT / "work"
        work.mkdir(parents=True, exist_ok=True)
        if not args.probe_only:
            rate = raw_encoder_rate()
            results["raw_encoder_sentences_per_s"] = rate
        for size in args.sizes:
            print(f"== {size:,} passages", flush=True)
            if args.probe_only:
                result = results[f"size-{size}"]
            else:
                result = ingest(size, work, rate)
            naive_queries = args.queries if size < 1_000_000 else 30  # flat 1M: ~0.2 s each
            result["probe"] = run_probe(result, False, args.queries)
            result["probe_naive"] = run_probe(result, True, naive_queries)
            if "http" not in args.skip:
                result["http"] = http_latency(result, False, 100)
                result["http_naive"] = http_latency(result, True, min(100, naive_queries))
            results[f"size-{size}"] = result
            save_results(results)
            print(report(results), flush=True)
        if "cold" not in args.skip:
            index = str(work / "index-seeds")
            subprocess.run([NEWSQA, "ingest", "--corpus", str(SEEDS), "--index", index],
                           check=True, capture_output=True)  # fmt: skip
            subprocess.run([NEWSQA, "ingest"], cwd=PROJECT, check=True, capture_output=True)
            results["cold"] = {
                "`newsqa ask`, seed corpus, start to answer (median of 3)": (
                    cold_ask(str(SEEDS), index, False), cold_ask(str(SEEDS), index, True)),
                "`make run` (installed, index fresh) to page served": (
                    make_run_ready(False), make_run_ready(True)),
            }  # fmt: skip
            for size in args.sizes:
                r = results[f"size-{size}"]
                results["cold"][f"`newsqa ask`, {size:,} passages"] = (
                    cold_ask(r["corpus_dir"], r["index_dir"], False, 1),
                    cold_ask(r["corpus_dir"], r["index_dir"], True, 1),
                )
            save_results(results)
        if "sweep" not in args.skip:
            results["dense_sweep"] = dense_sweep()
        save_results(results)
    print(report(results))
    plot(results)
    print(f"\nwrote {OUT / 'results.json'} and {OUT / 'results.png'}")


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               "?")  # fmt: skip
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB RAM, Python {sys.version.split()[0]}"


if __name__ == "__main__":
    main()
