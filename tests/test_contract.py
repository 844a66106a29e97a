"""The JSON contract: `Answer.to_dict()` is what `ask --json`, /api/ask and Gradio's "ask" return.

tests/fixtures/answer_contract.jsonl holds the answers that the code before the typed contract
(retrieval/contract.py) gave for the eval questions over the seed corpus, in every mode, with
article scope, "what else" exclusions and routing off (written by bench/answer_contract.py).
The typed answers must serialise to the same JSON: the same keys in the same order, the same
values; floats (cosines, BM25) may differ only in the last digits a machine's BLAS changes.
"""

import json
import math

from conftest import PROJECT

from retrieval import ask
from retrieval.contract import Answer, Hit, Part, QuoteRef, Scores, Span, Speaker

CONTRACT = PROJECT / "tests" / "fixtures" / "answer_contract.jsonl"


def same(expected, got, path="answer") -> None:
    assert type(expected) is type(got) or {type(expected), type(got)} <= {int, float}, path
    if isinstance(expected, dict):
        assert list(expected) == list(got), f"{path}: keys {list(got)} != {list(expected)}"
        for key in expected:
            same(expected[key], got[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(expected) == len(got), f"{path}: {len(got)} items != {len(expected)}"
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            same(a, b, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert math.isclose(expected, got, rel_tol=1e-5, abs_tol=1e-5), (
            f"{path}: {got} != {expected}"
        )
    else:
        assert expected == got, f"{path}: {got!r} != {expected!r}"


def test_typed_answers_serialise_to_the_recorded_json(seed_index):
    records = [json.loads(line) for line in CONTRACT.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 116
    for record in records:
        call = dict(record["call"])
        question = call.pop("question")
        if "exclude_quotes" in call:
            call["exclude_quotes"] = [tuple(x) for x in call["exclude_quotes"]]
        got = ask(seed_index, question, **call).to_dict()
        same(record["answer"], got, f"{question!r} {call}")
        # Byte for byte where no float is involved: the text a client parses.
        assert json.dumps(got["answer"], ensure_ascii=False) == json.dumps(
            record["answer"]["answer"], ensure_ascii=False
        )


def test_the_checker_would_notice_a_changed_contract():
    same({"a": 1.0, "b": [1, 2]}, {"a": 1.0000001, "b": [1, 2]})
    for changed in ({"b": [1, 2], "a": 1.0}, {"a": 1.1, "b": [1, 2]}, {"a": 1.0, "b": [1]}):
        try:
            same({"a": 1.0, "b": [1, 2]}, changed)
        except AssertionError:
            continue
        raise AssertionError(f"{changed} passed as the same contract")


def test_optional_fields_stay_absent_and_types_nest():
    hit = Hit(1, 0.5, "d", "T", "s.txt", 0, 10, "0123456789", [Span(2, 4)], Scores(lexical=1.5))
    assert hit.to_dict()["scores"] == {"lexical": 1.5}
    assert hit.to_dict()["highlights"] == [{"start": 2, "end": 4}]
    assert hit.focus == Span(2, 4) and Hit(1, 0.5, "d", "T", "s", 3, 9, "x").focus == Span(3, 9)
    assert Speaker("Zhang Jun").to_dict() == {"name": "Zhang Jun", "roles": []}
    assert Speaker("China", [], ["Beijing"]).to_dict()["includes"] == ["Beijing"]
    quote = QuoteRef("Zhang Jun", "q", "d", 0, 1, "direct", "explicit", None, None)
    answer = Answer("q?", "hybrid", "x [1]", [hit], True, None, [quote], "", [Part("x", 1)])
    data = json.loads(json.dumps(answer.to_dict()))
    assert data["speaker"] is None and data["quotes"][0]["citation"] is None
    assert data["parts"] == [{"text": "x", "citation": 1, "quote": False}]
