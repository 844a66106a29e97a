"""Incremental update benchmark: add one article to an index of ~10k passages vs a full rebuild.

    .venv/bin/python bench/bench_incremental.py [--articles 1000 --paragraphs 10]

Builds a seeded synthetic corpus in a temporary folder; prints a markdown table.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import article, write_corpus  # noqa: E402

from retrieval import Settings, add_paths, build_index, remove_articles, sync  # noqa: E402
from retrieval.encoders import load_encoder  # noqa: E402


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--paragraphs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_corpus(root / "corpus", args.articles, args.paragraphs)
        settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
        load_encoder(settings.model)  # both sides measured with the model already loaded
        index, build_s = timed(lambda: build_index(settings))
        new = root / "new.txt"
        new.write_text(article(random.Random(99), args.paragraphs), encoding="utf-8")
        (_, added), add_s = timed(lambda: add_paths(settings, [new]))
        (_, removed), remove_s = timed(lambda: remove_articles(settings, [str(new.name)]))
        _, noop_s = timed(lambda: sync(settings))
        (_, _), rebuild_s = timed(lambda: sync(settings, rebuild=True))
        newsqa = str(Path(sys.executable).parent / "newsqa")
        where = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
        _, cli_s = timed(lambda: subprocess.run([newsqa, "add", str(new), *where], check=True,
                                                capture_output=True))  # fmt: skip
        m = index.manifest
        rows = [
            (f"corpus: {m['documents']} articles, {m['passages']} passages, "
             f"{m['sentences']} sentences (synthetic, seed 7)", None),
            ("full build (model loaded)", build_s),
            ("full rebuild, `sync(rebuild=True)`", rebuild_s),
            ("add one article (in process, model loaded)", add_s),
            ("remove one article (no model needed)", remove_s),
            ("sync with nothing changed", noop_s),
            ("`newsqa add` one article, whole process (imports + model load)", cli_s),
        ]  # fmt: skip
    print("| measure | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {'' if seconds is None else f'{seconds:.2f}'} |")
    print(f"\nadd vs full rebuild: {rebuild_s / add_s:.0f}x faster "
          f"({added.summary()}; {removed.summary()})")  # fmt: skip


if __name__ == "__main__":
    main()
