import pytest

from retrieval.followup import Turn, rewrite

ZHANG = Turn("What did Zhang Jun say?", speaker="Zhang Jun")
TROOPS = Turn("How many troops has Russia amassed near Ukraine?")


@pytest.mark.parametrize(
    ("typed", "previous", "standalone", "more"),
    [
        ("what else did he say?", ZHANG, "What did Zhang Jun say?", True),
        ("and Wang Yi?", ZHANG, "What did Wang Yi say?", False),
        ("What about Blinken?", ZHANG, "What did Blinken say?", False),
        ("what did he say about Ukraine?", ZHANG, "What did Zhang Jun say about Ukraine?", False),
        ("and NATO?", TROOPS, "How many troops has NATO amassed near Ukraine?", False),
        ("what did they demand?", TROOPS, "What did Russia demand?", False),
    ],
)
def test_rewrites(typed, previous, standalone, more):
    result = rewrite(typed, previous)
    assert (result.question, result.changed, result.wants_more) == (standalone, True, more)


def test_topic_carries_over_to_another_speaker():
    previous = Turn("What did Zhang Jun say about Ukraine?", speaker="Zhang Jun", topic="Ukraine")
    assert rewrite("and Blinken?", previous).question == "What did Blinken say about Ukraine?"


@pytest.mark.parametrize(
    ("typed", "previous"),
    [("what else did he say?", None), ("What did Blinken say?", ZHANG), ("Olympic truce", ZHANG)],
)
def test_standalone_questions_are_left_alone(typed, previous):
    result = rewrite(typed, previous)
    assert result.question == typed and not result.changed
