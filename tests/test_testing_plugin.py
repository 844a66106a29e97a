"""The pytest plugin newsqa ships (retrieval/testing.py), run as a user's pytest would run it."""

import pytest

from retrieval.testing import Miss, misses_table

pytest_plugins = ["pytester"]

ARTICLES = {
    "ferry.txt": "Ferry back in service\n\nThe island ferry resumed service on Sunday morning "
    "after storm repairs, the harbour master Ana Ruiz said.\n",
    "budget.txt": "Council passes budget\n\nThe city council approved a budget of 40 million "
    "euros for schools and roads on Tuesday.\n",
}


@pytest.fixture
def user_project(pytester, seed_index):
    """A user's folder with articles named in its pytest.ini. (seed_index: torch, FAISS and
    numba are imported before pytester's in-process runs, which would otherwise import them
    again per run, and native modules imported twice crash the process.)"""
    for name, text in ARTICLES.items():
        pytester.path.joinpath("articles").mkdir(exist_ok=True)
        pytester.path.joinpath("articles", name).write_text(text, encoding="utf-8")
    pytester.makeini("[pytest]\nnewsqa_corpus = articles\n")
    return pytester


def test_the_fixture_indexes_the_named_folder_once_and_checks_pass(user_project):
    user_project.makepyfile(
        """
        from retrieval.testing import evaluate, expect_cited

        def test_cited(newsqa_index):
            hit = expect_cited(newsqa_index, "When did the ferry resume service?", "Sunday morning")
            assert hit.rank == 1

        def test_same_index(newsqa_index, newsqa_index_of, pytestconfig):
            assert newsqa_index_of(pytestconfig.rootpath / "articles") is newsqa_index
            assert len(newsqa_index.documents) == 2

        def test_set(newsqa_index):
            result = evaluate(newsqa_index, [
                {"question": "How big is the council budget?", "expect": "40 million"},
                {"question": "Who won the football final?", "expect": None},
            ], min_hit_at_1=1.0, min_refused=1.0)
            assert result.metrics["hit@1"] == 1.0
        """
    )
    user_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_a_miss_fails_with_a_table_not_a_traceback(user_project):
    user_project.makepyfile(
        """
        from retrieval.testing import evaluate, expect_cited

        def test_wrong_text(newsqa_index):
            expect_cited(newsqa_index, "When did the ferry resume service?", "roads", within=1)

        def test_bar_too_high(newsqa_index):
            evaluate(newsqa_index, [
                {"question": "When did the ferry resume service?", "expect": "40 million"},
            ], min_hit_at_1=1.0)

        def test_unknown_text(newsqa_index):
            evaluate(newsqa_index, [{"question": "x?", "expect": "not in any article"}])
        """
    )
    result = user_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    out = result.stdout.str()
    assert "'roads' is not cited within the top 1" in out
    assert "| When did the ferry resume service? |" in out and "Ferry back in service" in out
    assert "hit@1 0.000 < 1.0" in out and "misses (rank > 3)" in out
    assert "'not in any article' is not in any indexed article" in out
    assert "retrieval/answer.py" not in out  # the failure is the table, not library internals


def test_an_unnamed_corpus_says_how_to_name_it(pytester, seed_index):
    pytester.makepyfile("def test_x(newsqa_index):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert "newsqa_corpus" in result.stdout.str() and "--newsqa-corpus" in result.stdout.str()


def test_misses_table_escapes_cells():
    table = misses_table([Miss("a|b?", None, "T: x|y"), Miss("c?", 4, "U")], depth=3)
    assert table.splitlines()[2:] == ["| a\\|b? | not in the top 3 | T: x\\|y |", "| c? | 4 | U |"]
