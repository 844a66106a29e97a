"""Retrieval checks on your own articles, with the pytest plugin newsqa installs.

This file checks the seed corpus (`newsqa_corpus = "corpus"` in pyproject.toml); copy it next
to your tests, name your folder the same way (or run pytest --newsqa-corpus articles/), and
write the questions your readers ask. `make test` runs it.
"""

from pathlib import Path

from retrieval.testing import evaluate, expect_cited

HERE = Path(__file__).resolve().parent


def test_the_ambassadors_words_are_cited_first(newsqa_index):
    hit = expect_cited(newsqa_index, "What did Zhang Jun say?", "Winter Olympics", within=1)
    assert hit.match == "quote"  # answered from the quotes attributed to him


def test_a_fact_is_found_in_the_top_three(newsqa_index):
    expect_cited(
        newsqa_index, "How many troops has Russia amassed near Ukraine?", "106,000 troops", within=3
    )


def test_my_questions_meet_the_bar(newsqa_index):
    result = evaluate(
        newsqa_index,
        [
            {"question": "What did Wang Yi tell Blinken?", "expect": "military blocs"},
            {
                "question": "Which sporting event is coming up in Beijing?",
                "expect": "Winter Olympics",
            },
            {"question": "What is the weather in Paris?", "expect": None},  # not in the articles
        ],
        min_hit_at_3=1.0,
        min_refused=1.0,
    )
    assert result.metrics["hit@3"] == 1.0


def test_a_whole_eval_file(newsqa_index):
    evaluate(newsqa_index, HERE.parent / "tests" / "eval" / "questions.jsonl", min_hit_at_3=0.9)
