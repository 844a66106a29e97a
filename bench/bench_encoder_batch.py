"""The query encoder's cost per question at batch 1, 4, 16 and 32 (why micro-batching pays).

    .venv/bin/python bench/bench_encoder_batch.py [--rounds 60]

Questions are the eval sets' own (seed and real news), cycled; each batch size is timed in
interleaved rounds, so the machine's noise falls on all of them alike. Prints a markdown table.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from bench_load import questions  # noqa: E402 - the same questions the load benchmark asks

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SIZES = (1, 4, 16, 32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    from retrieval.config import DEFAULT_MODEL
    from retrieval.encoders import ensure_export, load_query_encoder

    ensure_export(DEFAULT_MODEL)
    encoder = load_query_encoder(DEFAULT_MODEL)
    pool = questions()
    encoder.encode(pool[:32])  # warm up
    seconds = {size: [] for size in SIZES}
    offset = 0
    for _ in range(args.rounds):
        for size in SIZES:
            batch = [pool[(offset + i) % len(pool)] for i in range(size)]
            offset += size
            started = time.perf_counter()
            encoder.encode(batch)
            seconds[size].append(time.perf_counter() - started)
    print(f"{type(encoder).__name__}, {len(pool)} distinct questions, {args.rounds} rounds, "
          f"{os.cpu_count()} cores\n")  # fmt: skip
    print("| batch | ms per call (p50) | ms per question (p50) | per question vs batch 1 |")
    print("|---|---|---|---|")
    alone = statistics.median(seconds[1])
    for size in SIZES:
        call = statistics.median(seconds[size])
        print(f"| {size} | {call * 1000:.2f} | {call * 1000 / size:.2f} | "
              f"{call / size / alone:.2f}x |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
