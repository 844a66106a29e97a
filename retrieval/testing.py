"""Check retrieval on your own articles in your own tests: a pytest plugin shipped with newsqa.

Installed with the package (a `pytest11` entry point), so any pytest run sees it. Name your
articles folder once, in pytest's configuration or on the command line:

    # pyproject.toml                          # or: pytest --newsqa-corpus articles/
    [tool.pytest.ini_options]
    newsqa_corpus = "articles"

and write tests against the session's index (built once, into a temporary folder):

    from retrieval.testing import evaluate, expect_cited

    def test_the_ambassador_is_found(newsqa_index):
        expect_cited(newsqa_index, "What did Zhang Jun say?", "Winter Olympics", within=3)

    def test_my_questions(newsqa_index):
        evaluate(newsqa_index, [{"question": "Who won?", "expect": "won the final"}],
                 min_hit_at_3=0.9)

A failing check fails the test with a table of the misses (question, rank, top hit), not a
traceback into the library. `newsqa_index_of(folder)` builds (once per folder) other corpora.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS_OPTION = "newsqa_corpus"
EXCERPT_CHARS = 70


def pytest_addoption(parser) -> None:
    group = parser.getgroup("newsqa", "newsqa retrieval checks")
    group.addoption("--newsqa-corpus", dest=CORPUS_OPTION, default=None,
                    help="articles folder the newsqa_index fixture indexes")  # fmt: skip
    parser.addini(CORPUS_OPTION, "articles folder the newsqa_index fixture indexes "
                  "(relative to the rootdir)", default="")  # fmt: skip


@pytest.fixture(scope="session")
def newsqa_index_of(tmp_path_factory):
    """A function: folder -> Index of its articles, built once per folder per test session."""
    from . import Settings, build_index

    built = {}

    def index_of(folder: str | Path):
        folder = Path(folder).resolve()
        if folder not in built:
            if not folder.is_dir():
                pytest.fail(f"newsqa: no articles folder at {folder}", pytrace=False)
            where = tmp_path_factory.mktemp("newsqa-index") / "index"
            settings = Settings.from_env(corpus_dir=folder, index_dir=where)
            built[folder] = build_index(settings)
        return built[folder]

    return index_of


@pytest.fixture(scope="session")
def newsqa_index(request, newsqa_index_of):
    """The index of the folder named by --newsqa-corpus or the `newsqa_corpus` ini option."""
    config = request.config
    named = config.getoption(CORPUS_OPTION) or config.getini(CORPUS_OPTION)
    if not named:
        pytest.fail(
            "newsqa: name the articles folder: `newsqa_corpus = \"articles\"` under "
            "[tool.pytest.ini_options], or pytest --newsqa-corpus articles/", pytrace=False,
        )  # fmt: skip
    folder = Path(named)
    if not folder.is_absolute() and config.getoption(CORPUS_OPTION) is None:
        folder = Path(config.rootpath) / folder  # the ini option is relative to the rootdir
    return newsqa_index_of(folder)


# ---------------------------------------------------------------- checks


@dataclass(frozen=True)
class Miss:
    question: str
    rank: int | None  # of the first passage holding the expected text; None: not in the top k
    top: str  # the top hit, as "title: excerpt" (or what the answer said when nothing came back)


def _squeeze(text: str) -> str:
    """Whitespace-insensitive text: hard-wrapped articles break lines inside sentences."""
    return re.sub(r"\s+", " ", text).strip()


def _top(answer) -> str:
    if not answer.hits:
        return f"(no passage) {answer.answer[:EXCERPT_CHARS]}"
    hit = answer.hits[0]
    return f"{hit.title}: {_squeeze(hit.text)[:EXCERPT_CHARS]}"


def misses_table(misses: Iterable[Miss], depth: int) -> str:
    """Markdown: one row per miss; a rank of None reads "not in the top {depth}"."""
    lines = ["| question | rank | top hit |", "|---|---|---|"]
    for miss in misses:
        rank = miss.rank if miss.rank is not None else f"not in the top {depth}"
        question, top = (text.replace("|", "\\|") for text in (miss.question, miss.top))
        lines.append(f"| {question} | {rank} | {top} |")
    return "\n".join(lines)


def expect_cited(index, question: str, expected: str, within: int = 3, mode: str = "hybrid"):
    """The hit (rank <= within) whose passage holds `expected`; fails the test with the ranks
    and the top hit otherwise. Whitespace is compared loosely, case exactly."""
    from .answer import MAX_K, ask

    depth = min(max(within, 10), MAX_K)  # how far to look, to say where it was
    answer = ask(index, question, k=depth, mode=mode)
    wanted = _squeeze(expected)
    rank = next((h.rank for h in answer.hits if wanted in _squeeze(h.text)), None)
    if rank is not None and rank <= within:
        return answer.hits[rank - 1]
    table = misses_table([Miss(question, rank, _top(answer))], depth)
    pytest.fail(f"{expected!r} is not cited within the top {within}:\n{table}", pytrace=False)


def evaluate(
    index,
    dataset: str | Path | Iterable[Mapping],
    min_hit_at_1: float | None = None,
    min_hit_at_3: float | None = None,
    min_mrr: float | None = None,
    min_refused: float | None = None,
    mode: str = "hybrid+quotes",
):
    """Score questions and fail the test when a minimum is not met, with a table of the misses.

    `dataset` is a JSONL file in the project's format (tests/eval/questions.jsonl: gold as
    article source plus text), or records {"question": ..., "expect": text the answering
    passage holds, "source": optional article source}; "expect": None marks a question the
    articles cannot answer (right when the answer says nothing matches). Returns the
    evaluation result (metrics, per_question) for further checks of your own.
    """
    from .config import NewsqaError
    from .evaluation import NEGATIVE
    from .evaluation.datasets import load_questions
    from .evaluation.run import evaluate as run_evaluation

    try:
        if isinstance(dataset, str | Path):
            questions = load_questions(Path(dataset), index)
        else:
            questions = _questions_of(index, list(dataset))
        (result,) = run_evaluation(index, questions, modes=(mode,))
    except NewsqaError as err:
        pytest.fail(f"newsqa: {err}", pytrace=False)
    metrics = result.metrics
    wanted = {"hit@1": min_hit_at_1, "hit@3": min_hit_at_3, "MRR@10": min_mrr}
    failed = [f"{name} {metrics.get(name, 0.0):.3f} < {floor}"
              for name, floor in wanted.items() if floor is not None
              and metrics.get(name, 0.0) < floor]  # fmt: skip
    if min_refused is not None and result.negative and result.negative["rate"] < min_refused:
        failed.append(f"refused {result.negative['rate']:.3f} < {min_refused}")
    if failed:
        misses = []
        for row in result.per_question:
            if row["kind"] == NEGATIVE:
                if not row["correct"]:
                    misses.append(Miss(row["question"], None, "answered, should say nothing"))
            elif row.get("rank") is None or row["rank"] > 3:
                top = row["retrieved"][0] if row["retrieved"] else None
                shown = f"{top['source']}: {_squeeze(top['text'])[:EXCERPT_CHARS]}" if top else "-"
                misses.append(Miss(row["question"], row.get("rank"), shown))
        pytest.fail(
            f"newsqa retrieval below the minimum ({'; '.join(failed)}) over "
            f"{len(questions)} questions; misses (rank > 3):\n{misses_table(misses, 10)}",
            pytrace=False,
        )
    return result


def _questions_of(index, records: list[Mapping]):
    """EvalQuestions from {"question", "expect", "source"?} records: the gold is every
    occurrence of the expected text (in the named article, or in any)."""
    from .config import NewsqaError
    from .evaluation import NEGATIVE, GoldSpan
    from .evaluation.datasets import EvalQuestion

    questions = []
    for number, record in enumerate(records, start=1):
        question, expected = record.get("question"), record.get("expect")
        if not isinstance(question, str) or not (expected is None or isinstance(expected, str)):
            raise NewsqaError(
                f'record {number}: give {{"question": str, "expect": str or None}}, got '
                f"{sorted(record)}"
            )
        docs = [d for d in index.documents.values()
                if record.get("source") in (None, d.source)]  # fmt: skip
        gold = []
        for doc in docs if expected is not None else []:
            start = doc.text.find(expected)
            while start >= 0:
                gold.append(GoldSpan(doc.doc_id, start, start + len(expected)))
                start = doc.text.find(expected, start + 1)
        if expected is not None and not gold:
            where = record.get("source") or "any indexed article"
            raise NewsqaError(f"record {number}: {expected[:60]!r} is not in {where}")
        kind = NEGATIVE if expected is None else str(record.get("type", "fact"))
        questions.append(EvalQuestion(f"q{number}", kind, question, tuple(gold)))
    return questions


__all__ = ["Miss", "evaluate", "expect_cited", "misses_table"]
