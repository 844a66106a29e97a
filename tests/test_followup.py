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
    [("What did Blinken say?", ZHANG), ("Olympic truce", ZHANG), ("What did they agree?", None)],
)
def test_standalone_questions_are_left_alone(typed, previous):
    result = rewrite(typed, previous)
    assert result.question == typed and not result.changed


def test_and_a_person_after_a_fact_question_asks_what_they_said_about_it():
    person = {"Wang Yi"}.__contains__
    result = rewrite("and Wang Yi?", TROOPS, is_person=person)
    assert result.question == "What did Wang Yi say about troops Russia amassed near Ukraine?"
    assert rewrite("and NATO?", TROOPS, is_person=person).question == (
        "How many troops has NATO amassed near Ukraine?"  # not a person: the same question of X
    )


def test_and_about_a_topic_keeps_the_speaker():
    assert rewrite("and about NATO?", ZHANG).question == "What did Zhang Jun say about NATO?"
    assert rewrite("What about NATO?", ZHANG).question == "What did NATO say?"  # X, not a topic


@pytest.mark.parametrize("typed", ["what else did he say?", "What did she tell reporters?"])
def test_a_pronoun_with_nobody_to_refer_to_asks_who(typed):
    result = rewrite(typed, None)
    assert result.clarify and result.clarify.startswith("Who do you mean?")
    assert rewrite(typed, ZHANG).clarify is None


@pytest.mark.parametrize("typed", ["tell me more", "More", "more please", "Show me more."])
def test_tell_me_more_continues_the_previous_question(typed):
    result = rewrite(typed, TROOPS)
    assert result.more_results and result.question == TROOPS.question and result.changed
    assert not rewrite(typed, None).more_results  # nothing to continue: asked as typed


def test_the_conversation_skips_what_it_showed_and_keeps_each_answers_sources(seed_index):
    from retrieval import ask
    from retrieval.followup import Conversation

    conversation = Conversation()
    asked, _, seen = conversation.understand("How many troops has Russia amassed?")
    first = ask(seed_index, asked.question, k=2, exclude_passages=seen)
    conversation = conversation.remember(asked, first)
    asked, _, seen = conversation.understand("tell me more")
    assert seen == {(h.doc_id, h.start) for h in first.hits}
    second = ask(seed_index, asked.question, k=2, exclude_passages=seen)
    assert not seen & {(h.doc_id, h.start) for h in second.hits}  # the next results
    conversation = conversation.remember(asked, second)
    assert [t.answer for t in conversation.answered] == [second, first]
