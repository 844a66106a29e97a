"""Record the answers' JSON that tests/test_contract.py holds the code to.

    python bench/answer_contract.py ROOT OUT.jsonl

ROOT is a checkout whose code defines the contract (e.g. `git worktree add /tmp/old <rev>`):
its `retrieval` is imported, its seed corpus indexed, and every eval question asked in each
mode, with article scope, a "what else" exclusion and speaker routing off. Re-record only when
the JSON contract changes on purpose, and say so in the commit.
"""

import json
import os
import sys
import tempfile
from pathlib import Path


def main(root: Path, out: Path) -> int:
    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.path.insert(0, str(root))
    from retrieval import Settings, ask, build_index

    folder = Path(tempfile.mkdtemp()) / "index"
    index = build_index(Settings.from_env(corpus_dir=root / "corpus", index_dir=folder))
    lines = (root / "tests/eval/questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines]
    calls = [{"question": q, "k": 3, "mode": m} for q in questions
             for m in ("hybrid", "dense", "lexical")]  # fmt: skip
    first = sorted(index.documents)[0]
    calls += [{"question": q, "k": 3, "mode": "hybrid", "doc_ids": [first]} for q in questions[:6]]
    said = ask(index, "What did Zhang Jun say?", k=3).to_dict()["quotes"][:2]
    shown = [[q["doc_id"], q["start"]] for q in said]
    calls.append({"question": "What did Zhang Jun say?", "k": 3, "mode": "hybrid",
                  "exclude_quotes": shown})  # fmt: skip
    calls += [{"question": q, "k": 3, "mode": "hybrid", "quotes": False} for q in questions[:4]]
    with out.open("w", encoding="utf-8") as sink:
        for call in calls:
            options = dict(call)
            question = options.pop("question")
            if "exclude_quotes" in options:
                options["exclude_quotes"] = [tuple(x) for x in options["exclude_quotes"]]
            answer = ask(index, question, **options).to_dict()
            sink.write(json.dumps({"call": call, "answer": answer}, ensure_ascii=False) + "\n")
    print(f"{len(calls)} answers written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve(), Path(sys.argv[2])))
