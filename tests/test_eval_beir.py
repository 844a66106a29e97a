"""BEIR-format evaluation, offline, on tests/fixtures/beir/seed (the two seed articles cut into
six documents cb-1..cb-3 and cw-1..cw-3, seven judged queries, one query without judgements)."""

import json
import math
import shutil
from pathlib import Path

import pytest

from retrieval import Settings, load_corpus
from retrieval.cli import main
from retrieval.evaluation import EVAL_MODES, evaluate_beir, load_beir

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE = PROJECT / "tests" / "fixtures" / "beir" / "seed"


@pytest.fixture(scope="module")
def beir_report():
    return evaluate_beir(FIXTURE, Settings.from_env())


def results_by_mode(report):
    return {r.mode: r for r in report.results}


def test_fixture_is_cut_from_the_seed_articles():
    seed = "".join(p.read_text(encoding="utf-8") for p in (PROJECT / "corpus").glob("*.txt"))
    docs = [json.loads(line) for line in (FIXTURE / "corpus.jsonl").read_text().splitlines()]
    assert [d["_id"] for d in docs] == ["cb-1", "cb-2", "cb-3", "cw-1", "cw-2", "cw-3"]
    for doc in docs:
        for paragraph in doc["text"].split("\n"):
            assert paragraph in seed, paragraph[:60]
    header = (FIXTURE / "qrels" / "test.tsv").read_text().splitlines()[0]
    assert header == "query-id\tcorpus-id\tscore"


def test_jsonl_loader_keeps_the_beir_id(tmp_path):
    shutil.copy(FIXTURE / "corpus.jsonl", tmp_path / "corpus.jsonl")
    loaded = load_corpus(tmp_path)
    assert [d.meta["external_id"] for d in loaded.documents] == [
        "cb-1", "cb-2", "cb-3", "cw-1", "cw-2", "cw-3",
    ]  # fmt: skip
    assert loaded.documents[0].title.endswith("(1/3)")


def test_load_beir_reads_queries_graded_qrels_and_skips_nothing_silently():
    data = load_beir(FIXTURE)
    assert len(data.queries) == 8
    assert data.qrels["q-support"] == {"cb-1": 2, "cw-1": 1}
    assert data.qrels["q-troops"] == {"cb-2": 1, "cw-1": 0}  # judged non-relevant is kept
    assert "q-unjudged" not in data.qrels
    assert data.documents == 6 and data.notes == []


def test_beir_fixture_end_to_end(beir_report):
    results = results_by_mode(beir_report)
    assert tuple(results) == EVAL_MODES
    for r in results.values():
        ids = {p["id"] for p in r.per_question}
        assert len(ids) == 7 and "q-unjudged" not in ids  # queries without a relevant document
        assert r.metrics["hit@10"] == 1.0  # six documents: every one is in the top 10
        for p in r.per_question:
            assert len(p["ranked"]) == len(set(p["ranked"]))  # one entry per document
            assert p["metrics"]["hit@1"] == (p["rank"] == 1)
            assert p["metrics"]["MRR@10"] == pytest.approx(1 / p["rank"])
    hybrid = results["hybrid"].metrics
    assert hybrid["hit@3"] == 1.0 and hybrid["hit@1"] >= 6 / 7
    for metric, value in results["dense"].metrics.items():
        assert hybrid[metric] >= value - 1e-9, metric
    zhang = next(p for p in results["hybrid+quotes"].per_question if p["id"] == "q-zhang")
    assert zhang["ranked"][0] == "cw-3"  # the document holding Zhang Jun's quotes
    assert zhang["retrieved"][0]["label"].startswith("cw-3 (tests/fixtures/beir/seed/corpus.")


def test_graded_ndcg_matches_a_hand_computation_on_the_real_run(beir_report):
    # q-support: cb-1 has grade 2, cw-1 grade 1. nDCG@10 = DCG / ideal DCG with linear gain:
    # DCG = sum grade / log2(rank + 1); ideal = 2/log2(2) + 1/log2(3) = 2.63093.
    grades = {"cb-1": 2, "cw-1": 1}
    for r in beir_report.results:
        p = next(p for p in r.per_question if p["id"] == "q-support")
        dcg = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(p["ranked"][:10]))
        assert p["metrics"]["nDCG@10"] == pytest.approx(dcg / (2 + 1 / math.log2(3))), r.mode
        assert p["metrics"]["recall@10"] == len(grades.keys() & set(p["ranked"])) / 2


def test_duplicate_documents_count_under_every_id(tmp_path):
    # d1 and d1-copy have the same text (one article once indexed); the qrels judge the copy.
    (tmp_path / "qrels").mkdir()
    seed = (PROJECT / "corpus" / "china-backs-russia-security-concerns.txt").read_text()
    other = (PROJECT / "corpus" / "china-wants-us-to-yield-to-russia-nato.txt").read_text()
    docs = [("d1", seed), ("d1-copy", seed), ("d2", other)]
    (tmp_path / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": i, "title": "", "text": t}) + "\n" for i, t in docs)
    )
    question = "How many troops has Russia amassed on its border with Ukraine?"
    (tmp_path / "queries.jsonl").write_text(json.dumps({"_id": "q", "text": question}) + "\n")
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq\td1-copy\t1\n")
    report = evaluate_beir(tmp_path, Settings.from_env(), modes=("lexical",))
    (row,) = report.results[0].per_question
    assert row["rank"] == 1 and row["ranked"][0] == "d1-copy"
    assert "3 documents -> 2 indexed articles" in report.notes[0]


def run_cli(capsys, *args) -> tuple[int, str, str]:
    status = main(["eval", *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def beir_copy(tmp_path) -> Path:
    target = tmp_path / "beir"
    shutil.copytree(FIXTURE, target)
    return target


def test_cli_errors_name_the_problem(capsys, tmp_path, beir_copy):
    # Each of these fails before any model or index is loaded.
    status, _, err = run_cli(capsys, tmp_path / "nope")
    assert status == 2 and err.startswith("newsqa: error: no dataset at")

    (tmp_path / "empty").mkdir()
    status, _, err = run_cli(capsys, tmp_path / "empty")
    assert status == 2 and "unknown dataset format" in err and "qrels/test.tsv" in err

    (tmp_path / "notes.txt").write_text("hello")
    status, _, err = run_cli(capsys, tmp_path / "notes.txt")
    assert status == 2 and "unknown dataset format" in err

    (tmp_path / "other.jsonl").write_text('{"title": "t", "text": "x"}\n')
    status, _, err = run_cli(capsys, tmp_path / "other.jsonl")
    assert status == 2 and "unknown dataset format" in err and "['text', 'title']" in err

    status, _, err = run_cli(capsys, beir_copy, "--split", "dev")
    assert status == 2 and "lacks qrels/dev.tsv" in err

    with (beir_copy / "qrels" / "test.tsv").open("a") as qrels:
        qrels.write("q-troops cb-2\n")
    status, _, err = run_cli(capsys, beir_copy)
    assert status == 2 and "test.tsv:11: expected 'query-id<TAB>corpus-id<TAB>score'" in err

    (beir_copy / "queries.jsonl").unlink()
    status, _, err = run_cli(capsys, beir_copy)
    assert status == 2 and "lacks queries.jsonl" in err

    status, _, err = run_cli(capsys, FIXTURE, "--modes", "hybrid,bm25")
    assert status == 2 and "unknown mode bm25" in err


def test_malformed_beir_lines_are_errors_with_line_numbers(capsys, beir_copy):
    with (beir_copy / "corpus.jsonl").open("a") as corpus:
        corpus.write('{"title": "no id", "text": "x"}\n')
    status, _, err = run_cli(capsys, beir_copy)
    assert status == 2 and 'corpus.jsonl:7: each document needs "_id" and "text"' in err


def test_eval_shows_its_progress_per_mode_unless_quiet(capsys, tmp_path):
    status, out, err = run_cli(capsys, FIXTURE, "--modes", "lexical,hybrid", "--index",
                               tmp_path / "index")  # fmt: skip
    assert status == 0 and "hit@1" in out
    lines = err.splitlines()
    assert any(line.startswith("ask lexical: ") and "questions in" in line for line in lines), err
    assert any(line.startswith("ask hybrid: ") for line in lines), err
    status, _, err = run_cli(capsys, FIXTURE, "--modes", "lexical", "--quiet", "--index",
                             tmp_path / "index2")  # fmt: skip
    assert status == 0 and "ask lexical" not in err
