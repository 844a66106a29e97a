"""The real-news questions alone and mixed into every Reuters-21578 story: does retrieval hold
at scale? Builds two indexes (the 52 question articles; the same plus 18k Reuters stories) and
runs `newsqa eval` on each question file, printing one table.

    .venv/bin/python bench/news_qa_scale.py                   # dev files, ~20 min on 2 cores
    .venv/bin/python bench/news_qa_scale.py --sets reuters_dev --work /tmp/news-scale
    .venv/bin/python bench/news_qa_scale.py --sets reuters_blind,web_blind   # once, at the end

The mixed corpus leaves out the Reuters stories that are question articles already (same
NEWID), so no article is there twice. Indexes are kept under --work and reused when present.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from haystack import reuters_texts  # noqa: E402

from retrieval import Settings  # noqa: E402
from retrieval.documents import display_path  # noqa: E402
from retrieval.evaluation import evaluate_questions  # noqa: E402
from retrieval.update import open_for_questions, sync  # noqa: E402

QUESTIONS = ROOT / "tests" / "fixtures" / "news_qa"
EVAL = ROOT / "tests" / "eval"


def build(corpus: Path, index_dir: Path) -> tuple[object, float]:
    settings = dataclasses.replace(Settings(), corpus_dir=corpus, index_dir=index_dir)
    started = time.perf_counter()
    sync(settings, log=lambda m: print(f"  {m}", file=sys.stderr, flush=True))
    return open_for_questions(settings), time.perf_counter() - started


def relabelled(path: Path, corpus: Path, work: Path) -> Path:
    """The question file with its gold sources pointing into `corpus` (same file names)."""
    prefix = display_path(QUESTIONS) + "/"
    target = display_path(corpus) + "/"
    out = work / f"{path.stem}.{corpus.name}.jsonl"
    out.write_text(path.read_text(encoding="utf-8").replace(f'"{prefix}', f'"{target}'),
                   encoding="utf-8")  # fmt: skip
    return out


def mixed_corpus(folder: Path) -> Path:
    """The question articles plus every Reuters story not among them, as .txt files."""
    if folder.exists() and any(folder.iterdir()):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for path in QUESTIONS.glob("*.txt"):
        shutil.copy2(path, folder / path.name)
    taken = {p.stem.removeprefix("reuters_") for p in QUESTIONS.glob("reuters_*.txt")}
    for newid, text in reuters_texts():
        if newid not in taken:
            (folder / f"r{newid}.txt").write_text(text, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="reuters_dev,web_dev")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "news_qa_scale")
    parser.add_argument("--modes", default="hybrid,hybrid+quotes")
    args = parser.parse_args()
    modes = args.modes.split(",")
    alone, alone_s = build(QUESTIONS, args.work / "index-alone")
    mixed_dir = mixed_corpus(args.work / "corpus-mixed")
    mixed, mixed_s = build(mixed_dir, args.work / "index-mixed")
    print(f"alone: {len(alone.documents)} articles, {len(alone.passages)} passages "
          f"(built in {alone_s:.0f} s); mixed: {len(mixed.documents)} articles, "
          f"{len(mixed.passages)} passages (built in {mixed_s:.0f} s)")  # fmt: skip
    print(
        "\n| set | corpus | mode | hit@1 | hit@3 | hit@10 | answer holds gold | refused "
        "| answer chars (median) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.sets.split(","):
        path = EVAL / f"news_qa_{name}.jsonl"
        for label, index, questions in (
            ("alone", alone, path),
            ("mixed", mixed, relabelled(path, mixed_dir, args.work)),
        ):
            report = evaluate_questions(questions, index, modes)
            for r in report.results:
                neg = r.negative or {"correct": 0, "n": 0}
                print(f"| {name} | {label} | {r.mode} | {r.metrics['hit@1']:.3f} | "
                      f"{r.metrics['hit@3']:.3f} | {r.metrics['hit@10']:.3f} | "
                      f"{r.answer_hit:.3f} | {neg['correct']}/{neg['n']} | "
                      f"{r.answer_chars:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
