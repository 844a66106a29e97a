"""Core benchmark: index build time, warm query latency per mode, and `newsqa ask` cold start.

    .venv/bin/python bench/bench_core.py [--corpus DIR] [--queries 50]

Prints a markdown table. The index is built into a temporary folder, so index/ is untouched.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from retrieval import Settings, ask, build_index  # noqa: E402
from retrieval.encoders import load_encoder  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "eval" / "questions.jsonl"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(Path(__file__).resolve().parent.parent / "corpus"))
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
    questions = (questions * (args.queries // len(questions) + 1))[: args.queries]
    rows = []

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(corpus_dir=args.corpus, index_dir=Path(tmp) / "index")
        started = time.perf_counter()
        load_encoder(settings.model)
        rows.append(("model load (in process, first)", time.perf_counter() - started, "s"))
        started = time.perf_counter()
        index = build_index(settings)
        build = time.perf_counter() - started
        m = index.manifest
        rows.append(
            (f"index build ({m['documents']} articles, {m['passages']} passages, "
             f"{m['sentences']} sentences; model already loaded)", build, "s")
        )  # fmt: skip
        for stage, value in m["timings"].items():
            if stage.endswith("_s"):
                rows.append((f"  build stage {stage.removesuffix('_s')}", value, "s"))

        for mode in ("hybrid", "dense", "lexical"):
            ask(index, "warm up", k=5, mode=mode)
            times = []
            for question in questions:
                started = time.perf_counter()
                ask(index, question, k=5, mode=mode)
                times.append((time.perf_counter() - started) * 1000)
            rows.append(
                (
                    f"query {mode}, warm, in-process, p50 of {len(times)}",
                    statistics.median(times),
                    "ms",
                )
            )
            rows.append((f"query {mode}, warm, in-process, p95", percentile(times, 0.95), "ms"))

        newsqa = str(Path(sys.executable).parent / "newsqa")
        env = dict(os.environ, NEWSQA_CORPUS=args.corpus, NEWSQA_INDEX=str(settings.index_dir))
        for mode in ("hybrid", "lexical"):
            cold = []
            for _ in range(3):
                started = time.perf_counter()
                subprocess.run(
                    [newsqa, "ask", "What did Zhang Jun say?", "--json", "--mode", mode],
                    env=env, check=True, capture_output=True,
                )  # fmt: skip
                cold.append(time.perf_counter() - started)
            rows.append((f"`newsqa ask --mode {mode}` process start to answer, median of 3",
                         statistics.median(cold), "s"))  # fmt: skip

    print("| measure | value |\n|---|---|")
    for name, value, unit in rows:
        print(
            f"| {name} | {value:.3f} {unit} |"
            if unit == "s"
            else f"| {name} | {value:.1f} {unit} |"
        )


if __name__ == "__main__":
    main()
