"""Reports (terminal, --json, markdown + PNG), the baseline guard, and `newsqa eval` itself.

Most tests drive the real evaluate() with a scripted ask(), so they need no model: each
question's gold is one passage, and the script says at which rank each mode returns it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import retrieval
from retrieval import NewsqaError
from retrieval import evaluation as ev
from retrieval.answer import Answer, Hit
from retrieval.cli import main
from retrieval.evaluation import baseline as evb
from retrieval.evaluation import datasets as evd
from retrieval.evaluation import run as evr

PROJECT = Path(__file__).resolve().parent.parent
NEWSQA = str(Path(sys.executable).parent / "newsqa")
PASSAGES = [SimpleNamespace(doc_id="doc", start=100 * i, end=100 * i + 90) for i in range(12)]


class FakePassages(list):
    def rows_of(self, doc_id):
        return range(len(self)) if doc_id == "doc" else range(0)


FAKE_INDEX = SimpleNamespace(passages=FakePassages(PASSAGES), documents={})
# question id -> (kind, passage row of its gold); negatives have no gold.
QUESTIONS = {"fact-1": ("fact", 1), "fact-2": ("fact", 2), "speaker-1": ("speaker", 3),
             "neg-1": (ev.NEGATIVE, None)}  # fmt: skip


def questions() -> list[evd.EvalQuestion]:
    out = []
    for qid, (kind, row) in QUESTIONS.items():
        start = PASSAGES[row].start + 5 if row is not None else 0
        gold = () if row is None else (ev.GoldSpan("doc", start, start + 15),)
        out.append(evd.EvalQuestion(qid, kind, f"question {qid}?", gold))
    return out


def scripted(ranks: dict[str, dict[str, int | None]], found_negative: dict[str, bool]):
    """A stand-in for ask(): the gold passage at ranks[mode][qid] (None: not returned)."""

    def fake_ask(index, question, k, mode, quotes):
        qid = question.removeprefix("question ").removesuffix("?")
        full = mode + ("+quotes" if quotes else "")
        kind, gold_row = QUESTIONS[qid]
        rows = list(range(4, 12))[:k]
        rank = ranks.get(full, {}).get(qid)
        if gold_row is not None and rank is not None:
            rows.insert(rank - 1, gold_row)
        hits = [
            Hit(i, 1.0 / i, "doc", "Title", "corpus/doc.txt", PASSAGES[r].start, PASSAGES[r].end,
                f"passage {r}")
            for i, r in enumerate(rows[:k], start=1)
        ]  # fmt: skip
        found = found_negative.get(full, False) if kind == ev.NEGATIVE else True
        return Answer(question, mode, "", hits, found)

    return fake_ask


def make_report(monkeypatch, ranks, found_negative=None, modes=("hybrid", "dense")):
    monkeypatch.setattr(evr, "ask", scripted(ranks, found_negative or {}))
    results = ev.evaluate(FAKE_INDEX, questions(), modes)
    return evr.EvalReport("tests/eval/fake.jsonl", "questions", "model", results)


GOOD = {"hybrid": {"fact-1": 1, "fact-2": 1, "speaker-1": 2},
        "dense": {"fact-1": 2, "fact-2": None, "speaker-1": 1}}  # fmt: skip


def test_scripted_evaluation_by_hand(monkeypatch):
    report = make_report(monkeypatch, GOOD, {"dense": True})
    hybrid, dense = report.results
    # hybrid ranks 1, 1, 2: hit@1 2/3, hit@3 1, MRR (1 + 1 + 1/2) / 3 = 5/6.
    assert hybrid.metrics["hit@1"] == pytest.approx(2 / 3)
    assert hybrid.metrics["hit@3"] == 1.0
    assert hybrid.metrics["MRR@10"] == pytest.approx(5 / 6)
    # dense ranks 2, -, 1: hit@1 1/3, hit@10 2/3, MRR (1/2 + 0 + 1) / 3 = 1/2.
    assert dense.metrics["hit@1"] == pytest.approx(1 / 3)
    assert dense.metrics["hit@10"] == pytest.approx(2 / 3)
    assert dense.metrics["MRR@10"] == pytest.approx(0.5)
    assert hybrid.by_kind["speaker"]["hit@1"] == 0.0 and hybrid.by_kind["fact"]["hit@1"] == 1.0
    # The negative question: refused (found False) by hybrid, answered by dense.
    assert hybrid.negative == {"n": 1, "correct": 1, "rate": 1.0}
    assert dense.negative == {"n": 1, "correct": 0, "rate": 0.0}


def test_terminal_and_json_output_show_what_failed(monkeypatch):
    report = make_report(monkeypatch, GOOD, {"dense": True})
    text = ev.format_text(report)
    assert "hit@1" in text and "nDCG@10" in text
    assert "negative questions" in text and "0/1 refused" in text
    # Which questions fail, in which mode, and what came back instead.
    assert "fact-2" in text and "dense: got [1] corpus/doc.txt:400-490 “passage 4”" in text
    assert "neg-1" in text and "answered" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert [r["mode"] for r in data["results"]] == ["hybrid", "dense"]
    assert data["results"][1]["per_question"][1]["rank"] is None


def test_report_folder_has_markdown_and_png(monkeypatch, tmp_path):
    report = make_report(monkeypatch, GOOD, {"dense": True})
    markdown, chart = ev.write_report(report, tmp_path / "out")
    text = markdown.read_text()
    assert "| hybrid | all | 3 |" in text and "![metrics per mode](metrics.png)" in text
    assert "## Negative questions" in text and "| fact-2 | fact |" in text
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and chart.stat().st_size > 5000
    # A quote gold report adds an extraction panel.
    report.extraction = {name: (1.0, 0.5, 2 / 3) for name in ("exact", "overlap", "attributed")}
    report.extraction |= {"speaker_accuracy": 1.0, "kind_accuracy": 1.0,
                          "attribution_accuracy": 1.0, "counts": {}}  # fmt: skip
    _, chart2 = ev.write_report(report, tmp_path / "quotes")
    assert chart2.stat().st_size > chart.stat().st_size


def test_guard_catches_an_injected_drop_and_prints_the_diff(monkeypatch):
    baseline = evb.baseline_of(make_report(monkeypatch, GOOD, {"dense": True}))
    worse = {**GOOD, "hybrid": {"fact-1": 3, "fact-2": 1, "speaker-1": 2}}
    report = make_report(monkeypatch, worse, {"dense": True, "hybrid": True})
    regression = ev.compare_to_baseline(report, baseline, tolerance=0.02)
    assert regression.failed
    diff = regression.format()
    print(diff)
    assert "hybrid/all/hit@1: 0.667 -> 0.333 (-0.333)" in diff
    assert "hybrid/fact/hit@1: 1.000 -> 0.500" in diff
    assert "hybrid/negative/refused: 1.000 -> 0.000" in diff
    assert "fact-1                      1 -> 3" in diff
    assert "neg-1                       refused -> answered" in diff
    assert all(not key.startswith("dense/") for key, _, _ in regression.drops)


def test_guard_passes_improvements_and_drops_within_tolerance(monkeypatch):
    baseline = evb.baseline_of(make_report(monkeypatch, GOOD))
    better = {**GOOD, "dense": {"fact-1": 1, "fact-2": 1, "speaker-1": 1}}
    regression = ev.compare_to_baseline(make_report(monkeypatch, better), baseline)
    assert not regression.failed and regression.moves  # it moved, upwards
    assert "no metric dropped" in regression.format()
    worse = {**GOOD, "hybrid": {"fact-1": 3, "fact-2": 1, "speaker-1": 2}}
    loose = ev.compare_to_baseline(make_report(monkeypatch, worse), baseline, tolerance=0.5)
    assert not loose.failed


def test_committed_baseline_is_written_by_the_documented_command():
    baseline = ev.read_baseline(PROJECT / "tests" / "eval" / "baseline.json")
    assert baseline["written_by"] == evb.BASELINE_COMMAND
    assert baseline["dataset"] == "tests/eval/questions.jsonl"
    assert set(baseline["questions"]) == set(ev.EVAL_MODES)


def test_bad_baselines_are_clear_errors(tmp_path):
    with pytest.raises(NewsqaError, match="no baseline at"):
        ev.read_baseline(tmp_path / "missing.json")
    (tmp_path / "b.json").write_text("[1, 2]")
    with pytest.raises(NewsqaError, match="not a newsqa eval baseline"):
        ev.read_baseline(tmp_path / "b.json")


def test_cli_on_project_questions_writes_and_checks_a_baseline(
    seed_index, monkeypatch, capsys, tmp_path
):
    monkeypatch.setattr(retrieval, "open_index", lambda settings, log=None: seed_index)
    questions = PROJECT / "tests" / "eval" / "questions.jsonl"
    written = tmp_path / "base.json"
    args = ["eval", str(questions), "--modes", "lexical", "--write-baseline", str(written)]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out.startswith("newsqa eval tests/eval/questions.jsonl (questions;")
    assert "lexical       all           30" in out and f"baseline written to {written}" in err
    doctored = json.loads(written.read_text())
    measured = doctored["metrics"]["lexical/all/hit@1"]
    assert measured < 1.0  # some question is not at rank 1 in lexical mode: pretend it was
    doctored["metrics"]["lexical/all/hit@1"] = 1.0
    qid, rank = next((q, r) for q, r in doctored["questions"]["lexical"].items()
                     if r not in ("1", 1, "refused", "answered"))  # fmt: skip
    doctored["questions"]["lexical"][qid] = 1
    written.write_text(json.dumps(doctored))
    assert main(["eval", str(questions), "--modes", "lexical", "--baseline", str(written)]) == 1
    _, err = capsys.readouterr()
    assert f"lexical/all/hit@1: 1.000 -> {measured:.3f} (-{1 - measured:.3f})" in err
    assert f"{qid:<28}1 -> {rank}" in err


def test_newsqa_eval_command_json_report_and_baseline_exit(tmp_path):
    # One real run of the installed command on the BEIR fixture (model load + tiny index).
    bad = tmp_path / "baseline.json"
    bad.write_text(json.dumps({"metrics": {"hybrid/all/hit@1": 1.0, "dense/all/hit@1": 1.0}}))
    fixture = PROJECT / "tests" / "fixtures" / "beir" / "seed"
    result = subprocess.run(
        [NEWSQA, "eval", str(fixture), "--json", "--report", str(tmp_path / "report"),
         "--baseline", str(bad)],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # dense hit@1 is below the doctored 1.0
    data = json.loads(result.stdout)
    assert data["format"] == "beir" and len(data["results"]) == 4
    assert "dense/all/hit@1: 1.000 ->" in result.stderr
    assert "hybrid/all/hit@1" not in result.stderr.split("dropped")[1]
    for name in ("report.md", "metrics.png"):
        assert (tmp_path / "report" / name).stat().st_size > 0
