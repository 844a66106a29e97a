"""Who-said-what on the quote gold sets, side by side: speaker precision, direct recall, and
(with --mistakes) every misattribution with its cause. Extraction only: no index, no model.

    .venv/bin/python bench/quote_attribution.py                       # dev and regression sets
    .venv/bin/python bench/quote_attribution.py --sets reuters_dev --mistakes
    .venv/bin/python bench/quote_attribution.py --sets blind14  # a blind set: once, at the end
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from retrieval.evaluation import (  # noqa: E402
    load_quote_gold,
    quote_documents,
    score_attribution,  # noqa: E402
)
from retrieval.quotes import extract_quotes  # noqa: E402

EVAL = Path(__file__).resolve().parent.parent / "tests" / "eval"
# Blind sets, once run (their READMEs hold the figures), are dev sets from then on.
DEV_SETS = ["reuters_dev", "web_dev", "reuters_blind", "web_blind", "blind2", "blind3", "blind4",
            "blind5", "blind6", "blind7", "blind8", "blind9", "blind10", "blind11", "blind12",
            "blind13", "gold", "heldout", "blind", "final"]  # fmt: skip


def run(name: str) -> dict:
    path = EVAL / ("quotes_gold.jsonl" if name == "gold" else f"quotes_{name}_gold.jsonl")
    rows = load_quote_gold(path)
    documents = quote_documents(path, rows)
    started = time.perf_counter()
    predicted = {source: extract_quotes(doc) for source, (_, doc) in documents.items()}
    result = score_attribution(predicted, rows)
    result["seconds"] = time.perf_counter() - started
    result["articles"] = len(documents)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(DEV_SETS))
    parser.add_argument("--mistakes", action="store_true", help="list every misattribution")
    args = parser.parse_args()
    print("| set | articles | given a speaker | right | speaker precision | direct recall |")
    print("|---|---|---|---|---|---|")
    results = {name: run(name) for name in args.sets.split(",")}
    for name, r in results.items():
        print(
            f"| {name} | {r['articles']} | {r['attributed']} | {r['correct']} | "
            f"{r['speaker_precision']:.3f} | {r['direct_recall']:.3f} "
            f"({r['direct_found']}/{r['direct_gold']}) |"
        )
    if args.mistakes:
        for name, r in results.items():
            print(f"\n{name}: {len(r['misattributions'])} misattributions")
            for m in r["misattributions"]:
                print(
                    f"  {m['source'].rsplit('/', 1)[-1]}:{m['start']} given to {m['given_to']!r}, "
                    f"really {m['really']!r} ({m['why']}): “{m['text']}”"
                )


if __name__ == "__main__":
    main()
