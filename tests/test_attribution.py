"""Who said what on real news nobody here wrote, a name-clash haystack, and no None speaker."""

import sys
from pathlib import Path

import pytest

from retrieval import ask
from retrieval.documents import load_corpus
from retrieval.evaluation import same_speaker, score_attribution
from retrieval.quotes import extract_quotes
from retrieval.speakers import SpeakerQuestion, parse_speaker_question, speaker_candidates

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from haystack import NOT_QUOTED, SEED_SPEAKERS, write_haystack  # noqa: E402
from quote_attribution import run  # noqa: E402


def quotes_of(text: str) -> list:
    """The quotes of a one-article text, as the index would store them."""
    from retrieval.documents import make_document

    return extract_quotes(make_document(text, "x.txt"))


# Measured on the dev splits, and on blind sets after their one run (the current blind set is
# run once, by hand, never here). Each floor sits a little under what was
# measured, so a change that puts words in wrong mouths fails.
@pytest.mark.parametrize(
    ("gold", "min_precision", "min_recall"),
    [("reuters_dev", 0.96, 0.96), ("web_dev", 0.96, 0.82), ("reuters_blind", 0.99, 0.96),
     ("web_blind", 0.91, 0.78), ("blind2", 0.95, 0.80), ("blind3", 0.97, 0.84),
     ("blind4", 0.91, 0.66), ("blind5", 0.94, 0.81), ("blind6", 0.96, 0.84),
     ("blind7", 0.95, 0.88), ("blind8", 0.93, 0.81), ("blind9", 0.94, 0.75),
     ("blind10", 0.94, 0.85), ("blind11", 0.95, 0.90), ("blind12", 0.98, 0.94),
     ("blind13", 0.97, 0.92),
     ("gold", 1.0, 1.0), ("heldout", 1.0, 1.0), ("blind", 1.0, 1.0), ("final", 1.0, 1.0)],
)  # fmt: skip
def test_speaker_precision_on_gold_sets(gold, min_precision, min_recall):
    result = run(gold)
    wrong = len(result["misattributions"])
    print(f"{gold}: speaker precision {result['speaker_precision']:.3f}, direct recall "
          f"{result['direct_recall']:.3f}, {wrong} misattributed")  # fmt: skip
    for m in result["misattributions"]:
        print(f"  {m['source']}:{m['start']} {m['given_to']!r} (really {m['really']!r})")
    assert result["speaker_precision"] >= min_precision
    assert result["direct_recall"] >= min_recall


def test_scorer_counts_every_attributed_quote():
    """Worked by hand: 3 quotes given a speaker, 1 right (span + speaker), 1 wrong speaker,
    1 not a gold quote at all -> precision 1/3; 2 gold direct quotes, 1 found -> recall 1/2."""

    class Q:
        def __init__(self, start, end, speaker):
            self.start, self.end, self.speaker, self.text = start, end, speaker, "x"

    gold = [
        {"source": "a", "start": 0, "end": 10, "speaker": "Ann Lee", "kind": "direct"},
        {"source": "a", "start": 20, "end": 30, "speaker": "Bo Chan", "kind": "direct"},
    ]
    predicted = {"a": [Q(0, 10, "Ann Lee"), Q(20, 30, "Ann Lee"), Q(50, 60, "Bo Chan"),
                       Q(70, 80, None)]}  # fmt: skip
    result = score_attribution(predicted, gold)
    assert result["speaker_precision"] == pytest.approx(1 / 3)
    assert result["direct_recall"] == pytest.approx(1 / 2)
    assert [m["why"] for m in result["misattributions"]] == ["another speaker", "not a gold quote"]
    assert same_speaker("Texaco Inc", "texaco") and same_speaker(
        "Louis Gerstner Jr", "Louis Gerstner Jr."
    )
    assert not same_speaker("Gerstner", "Louis Gerstner Jr.") and not same_speaker(None, None)


def test_haystack_gives_seed_speakers_only_their_own_quotes(tmp_path):
    """300 articles where other Zhangs, Wangs and Blinkens speak and the seed speakers are only
    named: no quote outside the seed articles is theirs, and no unquoted person gets any."""
    write_haystack(tmp_path, 300, seed=5)
    documents = load_corpus(tmp_path).documents
    seed = {d.doc_id for d in documents if not Path(d.source).name.startswith("hay-")}
    quotes = [q for d in documents for q in extract_quotes(d)]
    assert len(quotes) > 1000
    assert [q for q in quotes if q.speaker in SEED_SPEAKERS and q.doc_id not in seed] == []
    assert [q for q in quotes if q.speaker in NOT_QUOTED] == []
    speakers = {q.speaker: [] for q in quotes if q.speaker}
    assert {"Zhang Jun", "Zhang Wei"} <= set(speaker_candidates("Zhang", speakers))
    assert speaker_candidates("Zhang Jun", speakers) == []  # a full name is one person


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Wang Yi tell Blinken?", SpeakerQuestion("Wang Yi", None, "Blinken")),
        ("What did Blinken tell reporters about Russia?",
         SpeakerQuestion("Blinken", "Russia", "reporters")),
        ("According to Beijing's UN envoy, does Moscow intend to attack?",
         SpeakerQuestion("Beijing's UN envoy", "does Moscow intend to attack")),
        ("What did Sen. Warren say?", SpeakerQuestion("Sen. Warren", None)),
    ],
)  # fmt: skip
def test_speaker_question_forms(question, expected):
    assert parse_speaker_question(question) == expected


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("What did Wang Yi tell Blinken?", "Wang Yi"),
        ("According to Beijing's UN envoy, does Moscow intend to attack?", "Zhang Jun"),
        ("What did the Chinese envoy at the UN say?", "Zhang Jun"),
        ("What did China's FM say?", "Wang Yi"),
        ("What did Secretary Blinken say?", "Antony Blinken"),
    ],
)
def test_role_and_title_questions_reach_the_speaker(seed_index, question, speaker):
    answer = ask(seed_index, question)
    assert answer.speaker and answer.speaker.name == speaker
    assert answer.quotes and all(q.speaker == speaker for q in answer.quotes)


def test_told_person_orders_but_never_drops_quotes(seed_index):
    everything = ask(seed_index, "What did Wang Yi say?", k=10).quotes
    told = ask(seed_index, "What did Wang Yi tell Blinken?", k=10).quotes
    assert sorted(q.start for q in told) == sorted(q.start for q in everything)


EVAL_QUESTIONS = [
    "What did Emmanuel Macron say about Pakistan?", "What did Macron say?", "What did Putin say?",
    "What did Zhang say?", "What did the president say?", "What did they say?",
    "What did nobody say?", "What did the ministry say?", "quotes from Someone Unknown",
]  # fmt: skip


def test_no_answer_has_a_none_speaker(seed_index):
    """Every answer of the eval questions and of unknown speakers: no None speaker anywhere."""
    import json

    lines = (ROOT / "tests" / "eval" / "questions.jsonl").read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines if line]
    for question in questions + EVAL_QUESTIONS:
        answer = ask(seed_index, question)
        data = answer.to_dict()
        assert all(q["speaker"] is not None for q in data["quotes"]), question
        assert data["speaker"] is None or data["speaker"]["name"] is not None, question
        assert "None said" not in data["answer"] and "None (" not in data["answer"], question


def test_unquoted_person_gets_no_one_elses_words(seed_index):
    answer = ask(seed_index, "What did Emmanuel Macron say about Pakistan?")
    assert answer.quotes == [] and answer.lead.startswith("No quotes attributed to Emmanuel Macron")


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"We will win," Senate Majority Leader Chuck Schumer said.', "Chuck Schumer"),
        ('"Rates will stay high," said Federal Reserve Chair Jerome Powell.', "Jerome Powell"),
        ('"He sold himself," said State Sen. Michael Doherty, a Republican.', "Michael Doherty"),
        ('Activist Ravi Menon quoted Mahatma Gandhi: "An eye for an eye blinds us all."', "Gandhi"),
        ('The minister, Anna Berg, was quoted as saying "we will not retreat."', "Anna Berg"),
        ('"We do not want that," Reagan was quoted as telling Chirac.', "Reagan"),
        ("Troops were attacked, according to Inter-Services Public Relations (ISPR). "
         '"Own troops engaged," the ISPR said.', "Inter-Services Public Relations"),
        ('Punjab Chief Minister Maryam Nawaz said: "We will rebuild."', "Maryam Nawaz"),
        ('"They are ready to talk," said one analyst who attended the meeting.', None),
        ('A fund manager at a trust bank was gloomier. "You cannot ignore New York," he said.',
         None),
        ('"We heard a loud sound," said Kuwaiti tourist Farah Zamani, 24.', "Farah Zamani"),
        ('Although Citicorp said the loans "may require reserves," it did not act.', "Citicorp"),
        ('Ayatollah Ruhollah Khomeini said "we must support the Majlis."', "Ruhollah Khomeini"),
        ('"These are the heaviest talks," George Miller, vice-president of the Lake Carriers '
         'Association, an association of shipping companies, said.', "George Miller"),
        ('Pennzoil Co chairman J. Hugh Liedtke said a deal was "in the best interests."',
         "J. Hugh Liedtke"),
        ('Belgian Foreign Trade Minister Herman\nDe Croo said at a news conference "if you limit '
         'textile\nimports, you will re-orient textiles to Europe."\n    "It is stupid," De Croo'
         " said.\n    More text follows here on a line.\n    And more of it, to make the wrap.\n",
         "Herman De Croo"),
        # a firm or a team before the role and the name: the person speaks
        ('"Prices will fall further," said Halden Rowe Ltd credit analyst Maya Okafor.',
         "Maya Okafor"),
        ('"The ball swings at night," said Ireland seam bowler Tom Kearney after the session.',
         "Tom Kearney"),
        # the named person is whom the speaker serves: the speaker is unnamed
        ('"There was no negligence," a lawyer for surgeon Pia Lund told reporters.', None),
        ('"They met twice," a Brennan aide said of the talks with Senator Ada Brennan.', None),
        ('Finance Minister Pieter du Toit said so. "It will hold," Du Toit said.',
         "Pieter du Toit"),
        ('"We are owed three months," said European Champion Lea Morvan-Roux.',
         "Lea Morvan-Roux"),
        ('"The rules are clear," the State Department said.', "State Department"),
        ('"Irreversible damage" will follow, MPs have warned.', None),
        # the interviewer asks; the answer that follows is not hers
        ('Jane Roe spoke. Ann Lee asked about the visit. "It was very pleasant," she said.', None),
        # a joint subject, or an unnamed one whose clause names others: nobody alone
        ('Speaker Tom Reyes and Senate leader Ida Moss issued a statement, saying they "would '
         'take up the repeal."', None),
        ('A panel set up to study the affairs of Orbit Air says it found "the worst losses ever '
         'seen."', None),
        ('"Tonight we win," a smiling Maria Lopez said.', "Maria Lopez"),
        ('"We will vote," said Older Germans. "Soon," they said.', None),
        ('Ministers and Prime Minister Keir Starmer, who said: "We will not tolerate it."',
         "Keir Starmer"),
        ('A spokeswoman for Royal Mail said: "We are investigating the route."', None),
        ('The Harbour Times said the plan had failed. "It will not work," the newspaper '
         "warned.", "Harbour Times"),
        ('"It will not work," the company\'s website says.', None),
        # name forms: nicknames, apostrophes, hyphenated titles, "<office> of <field> <name>"
        ('"We will sell," D.K. "Rusty" Marlow, chairman, said. "Soon," Marlow said.',
         "D.K. Marlow"),
        ('"Prices will fall," said Liam O\'Dowd, analyst with Rowan Futures. "Maybe not," '
         "Rowan O'Dowd said.", "Liam O'Dowd"),
        ('But US Treasury Under-Secretary Alan Brook said it "could not support the plan."',
         "Alan Brook"),
        ('Deputy Director of Public Prosecution Ana-Lise Berg said it was "a credible account."',
         "Ana-Lise Berg"),
        ('Union health secretary RK Mehta said, "Salaries differ." Pravin Mehta disagreed.',
         "RK Mehta"),
        ('Guest Ana Sole spoke. Oxfam adviser Max Lorne welcomed the plan and said it "passed '
         'the first hurdle." But he added: "They need to move quickly."', "Max Lorne"),
        ('Asked on the programme "Ana Sole: One on One" if he thought Ivo Bell would win, the '
         'senator shot back: "I would not bet on it."', None),
        # a one-word name after a title is a person, whom a later "he" means
        ('President Haldane spoke. Haldane said the economy was sound. "Nobody should panic," '
         "he told reporters.", "Haldane"),
    ],
)  # fmt: skip
def test_attribution_forms_of_real_news(text, speaker):
    quotes = quotes_of(text)
    assert quotes and {q.speaker for q in quotes} == {speaker}, quotes


def test_a_country_speaks_through_its_capital_and_ministries(tmp_path):
    from retrieval import Settings, build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Trade row deepens\n\n"
        '"We will respond firmly," the Chinese Foreign Ministry said on Monday.\n\n'
        'Beijing said separately that "talks remain possible."\n\n'
        '"The tariffs are unfair," said Li Wei, an economist in Shanghai.\n',
        encoding="utf-8",
    )
    index = build_index(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"))
    answer = ask(index, "What did China say?")
    assert set(answer.speaker.includes) == {"Chinese Foreign Ministry", "Beijing"}
    assert {q.speaker for q in answer.quotes} == {"Chinese Foreign Ministry", "Beijing"}
    assert all(q.speaker != "Li Wei" for q in answer.quotes)  # its people speak for themselves


def test_acronym_questions_find_the_body():
    from retrieval.speakers import resolve_speaker

    speakers = {"World Health Organization": [], "Antony Blinken": ["Secretary of State"]}
    assert resolve_speaker("the WHO", speakers) == "World Health Organization"
    assert parse_speaker_question("What did the WHO say?").speaker == "the WHO"
    assert resolve_speaker("the UN", speakers) is None


def test_speech_in_straight_single_quotes_when_an_article_has_no_double_marks():
    from retrieval.documents import make_document

    tabloid = (
        "Tributes paid\n\nThe family's lawyer, Tom Rees, said: 'He was a wonderful man.'\n\n"
        "'We will miss him every day,' Mr Rees added, calling the workers' rights 'a priority'.\n"
    )
    quotes = extract_quotes(make_document(tabloid, "x.txt"))
    assert [(q.text, q.speaker) for q in quotes] == [
        ("He was a wonderful man.", "Tom Rees"),
        ("We will miss him every day", "Tom Rees"),
        ("a priority", "Tom Rees"),
    ]
    mixed = 'The lawyer, Tom Rees, said "it was the workers\' rights" that mattered.\n'
    assert [q.text for q in extract_quotes(make_document(mixed, "y.txt"))] == [
        "it was the workers' rights"
    ]  # double marks in the article: straight singles stay apostrophes


@pytest.mark.parametrize(
    "text",
    [
        'Acme Oil said the regulator would file a "friend of the court" brief on the rule.',
        'Jo Park said it was not just an issue for "gig economy" workers.',
        'Jo Park said a bid put the firm "in play." "In play" is a term used on Wall Street.',
    ],
)
def test_labels_and_defined_terms_are_nobodys_words(text):
    quotes = quotes_of(text)
    assert not [q for q in quotes if q.text in ("friend of the court", "gig economy", "In play")]


def test_paragraphs_of_one_quote_run_together_are_each_quoted():
    """BBC text: each paragraph of a long quote opens with a mark, only the last one closes."""
    from retrieval.documents import make_document

    text = ('Mr Davies said in a statement: "It was a frightening experience. "Six men grabbed '
            'me from behind. "I knew I had to stay calm".\n')  # fmt: skip
    quotes = extract_quotes(make_document(text, "x.txt"))
    assert [q.text for q in quotes] == [
        "It was a frightening experience.", "Six men grabbed me from behind.",
        "I knew I had to stay calm"]  # fmt: skip
    assert all(text[q.start : q.end] == q.text for q in quotes)
    assert {q.speaker for q in quotes} == {"Davies"} or len({q.speaker for q in quotes}) == 1


A_QUOTE_AFTER_REPORTED_SPEECH_CONTINUES_IT = [
        # a quote of its own right after the speaker's reported words, same paragraph or next
        ('Nora Vance said a fall had been expected. "What was not expected was the severity."',
         "Nora Vance"),
        ("Nora Vance said the act gave the state wide powers.\n\n"
         '"It is not simply a question of licences."\n', "Nora Vance"),
        # ... but not after a question, nor after "according to" a source
        ('Nora Vance spoke. What did Ivo Lind say after the game?\n\n"He ran off the field."\n',
         None),
        ("The woman was named as Ada Cline, according to Harbour Daily.\n\n"
         '"She did not have the dog on a leash," a witness said later.\n', None),
    ]  # fmt: skip


A_PRONOUN_IS_NOBODY_WHEN_SOMEONE_ELSE_ACTED_SINCE_THE_SPEAKER = [
        # "“…,” one said": someone unnamed spoke since the named speaker
        ('Zbigniew Kochan spoke to reporters. Western diplomats were wary. "This is a small '
         'price to pay," one said.\n    He noted a campaign, "clearly aimed at shoppers," he '
         "said.\n", None),
        # someone else acts after the speaker was last named: "he" may be either, so nobody
        ('Tom Hale wants a vote, a plan Ivo Brand dismissed. "It will fail," he said.\n', None),
        ("Tom Hale said the plan was sound. Later, when Ivo Brand spoke, the room fell silent. "
         '"It will fail," he said.\n', None),
        # an object, a possessive, a name used as a noun, or a subject of the speaker's own
        # reported words is no rival
        ('Tom Hale spoke after a loss to Ivo Brand in Leeds. "It will work," he said.\n',
         "Tom Hale"),
        ("Tom Hale wants a vote. He praised Ivo Brand's plan. \"It will work,\" he said.\n",
         "Tom Hale"),
        ('Tom Hale said Ivo Brand had agreed. "It will work," he said.\n', "Tom Hale"),
        ('Ivo Brand wrote a report. Tom Hale praised the Brand report. "It will work," he said.\n',
         "Tom Hale"),
        # so does someone unnamed: "A teenage girl, speaking on condition of anonymity, said"
        ('Mara Lind said the well had dried up. A teenage girl, speaking on condition of '
         'anonymity, said the crisis was worse. "We fetch water from far away," she said.\n',
         None),
        ('Mr Tom Hale spoke. A woman, speaking on condition of anonymity, said the crisis was '
         'worse. "We will appeal," he said.\n', "Tom Hale"),
        # a woman acting in between does not compete with a "he" for a man
        ('Mr Tom Hale wants a vote, a plan Ms Mara Lind dismissed. "It will fail," he said.\n',
         "Tom Hale"),
    ]  # fmt: skip


def test_a_run_of_one_speakers_quotes_keeps_its_speaker():
    """A rival read before the run's first quote was judged there; the rest of the run keeps
    its speaker."""
    from retrieval.documents import make_document

    text = ('Tom Hale spoke on Monday. He said the plan, which Mr Ivo Brand had backed, was "the '
            'best we have."\n\n"It has to work."\n')  # fmt: skip
    quotes = extract_quotes(make_document(text, "x.txt"))
    assert [q.speaker for q in quotes] == ["Tom Hale", "Tom Hale"], quotes


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # a second speech verb that opens the second quote: its subject speaks it
        ('Ivo Brand asked whether he would quit, to which Tom Hale replied, "No, not at all."\n',
         ["Tom Hale"]),
        ('"It was a hit," Ivo Brand said years after Ms Mara Lind first declared, "Respect is '
         'due to all."\n',
         ["Ivo Brand", None]),
        # ... also across a word or two of the reported clause
        ('Tom Hale denied it, and Ana Ruiz then said the plan "will never work in this city".\n',
         ["Ana Ruiz"]),
        # "McClure said senators told him, “…”": the senators' words, none of them named
        ('Sen. James McClure spoke. But McClure said senators told him, "There is no doubt '
         'dumping is going on."\n', [None]),
        # "adding" shares the sentence's subject
        ('"It is wrong," Tom Hale told reporters, adding: "We will appeal."\n',
         ["Tom Hale", "Tom Hale"]),
    ],
)  # fmt: skip
def test_the_verb_that_opens_a_quote_names_its_speaker(text, speakers):
    quotes = quotes_of(text)
    assert [q.speaker for q in quotes] == speakers, quotes


NAMES_READ_FROM_THE_ARTICLE_NOT_FROM_ITS_FURNITURE = [
        # a firm's possessive before a surname the article knows: that person
        ('"Rates will fall," said Kenji Oda, an economist. "Demand is strong," said the Bank '
         "of Kobe's Oda.\n", "Kenji Oda"),
        # a surname that is also a colour is still a surname ("White House" stays a body)
        ('Union president Bob White spoke. "It helps," White told reporters.\n', "Bob White"),
        # a quoted headline's capitals name nobody: no "Dre Bashed" to give a "he said" to
        ("A post headlined “When Dr. Dre Bashed a Reporter” spread. Later he said: “I was "
         "wrong.”\n", None),
        # a list of names is not a name and its role
        ('Squad: Ann Lee, Travis Head, Bo Nam, Cy Ford. Head spoke. "We will win," Head said.\n',
         None),
    ]  # fmt: skip


WORDS_QUOTED_FROM_ANOTHER_ARE_NEVER_THE_QUOTERS = [
        ('Quoting the coach Casey Stengel, Bill Schneider added, "Never make predictions, '
         'especially about the future."\n', "Casey Stengel"),
        ('Ravi Kumar, quoting Mahatma Gandhi, said: "An eye for an eye makes the whole world '
         'blind."\n', "Gandhi"),
        ('Ravi Kumar, quoting a report by the bank, said: "Growth will slow this year."\n', None),
    ]  # fmt: skip


VERBS_THAT_REPORT_SPEECH_ONLY_RIGHT_AFTER_A_QUOTE = [
        ('Beth Reiners spoke. "It is not a problem for us," agreed Elliot Platt of Acme.\n',
         "Elliot Platt"),
        ('"We will not sell," continued Ana Ruiz, the owner.\n', "Ana Ruiz"),
        ('Beth Reiners agreed to the "best and final offer" on Monday.\n', None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # a subject whose verb goes on to say more starts a sentence of its own
        ('"We will get through this," the premier, Ana Ruiz, said. "We have one chance." Police '
         'chief Tom Hale said the six-day period would be followed by eight more.\n',
         ["Ana Ruiz", "Ana Ruiz"]),
        # but "“…” Zhang told reporters on Monday." is the quote's attribution
        ('"It is over." Tom Hale told reporters on Monday.\n', ["Tom Hale"]),
        ('"Is it over?" Tom Hale asked.\n', ["Tom Hale"]),
    ],
)  # fmt: skip
def test_a_sentence_after_a_quote_is_its_attribution_only_when_it_ends_there(text, speakers):
    quotes = quotes_of(text)
    assert [q.speaker for q in quotes] == speakers, quotes


def test_an_office_for_a_field_is_no_person_named_by_the_field():
    from retrieval.documents import make_document

    text = ('The UN High Commissioner for Human Rights said the move did "not change the law '
            'in any way".\n')  # fmt: skip
    quotes = extract_quotes(make_document(text, "x.txt"))
    assert [q.speaker for q in quotes] == [None], quotes


@pytest.mark.parametrize(
    "text",
    [
        'The FIR alleged that the men could "set anything on fire or kill anyone".\n',
        'The affidavit said she was "enticed by the offer of work".\n',
        'Police filed a report. It said the officials had "completely failed to act".\n',
    ],
)
def test_a_paper_without_an_author_is_nobody(text):
    quotes = quotes_of(text)
    assert quotes and quotes[-1].speaker is None, quotes


A_ROLE_MEANS_THE_ONE_TITLED_NAME_THAT_HOLDS_IT = [
        ('President Reagan spoke on Monday.\n\n"I would not do it again," the president said.\n',
         "Reagan"),
        # two presidents: "the president" is neither for sure
        ("President Reagan and President Mitterrand spoke on Monday.\n\n"
         '"I would not do it again," the president said.\n', None),
        # two courts ("the trial court", "the Delhi high court"): "the court" is neither
        ("In a ruling, the Delhi high court cut the award. The trial court had awarded Rs 10 "
         'lakh to him. The court observed, "It is possible that he was careless."\n', None),
        # ... but one trust, however described, is the trust
        ("Parents protest as academy trust drops novels. The Westbrook Learning Trust said "
         "the list was reviewed. It is not going to be resolved by one trust in one town. "
         '"The trust has listened carefully," the trust added.\n', "Westbrook Learning Trust"),
    ]  # fmt: skip


NAMES_WITH_BARE_INITIALS_AND_TITLED_ONE_WORD_NAMES = [
        # initials without stops, as South Asian papers write them
        ('Attorney General K K Venugopal argued the case. "It is essential," Venugopal said.\n',
         "K K Venugopal"),
        ('The bank\'s lawyer, M Abdul Qayyum, spoke. "The listing is stayed," he said.\n',
         "M Abdul Qayyum"),
        # "President Reagan said ..." names him for a later "he"
        ('Analyst Ivo Brand spoke.\n\nPresident Reagan said he was puzzled, but is sure the '
         'economy is sound.\n\n"I think everyone is puzzled," he told reporters.\n', "Reagan"),
        # ... but "a spokesperson for the Universities ..." names nobody
        ("A spokesperson for the Universities and Colleges Employers' Association said it had "
         'cut "atypical contracts" over the years.\n', None),
    ]  # fmt: skip


def test_a_line_of_one_single_quoted_phrase_is_a_subheading():
    from retrieval.documents import make_document

    text = ('"I shared a dorm with 70 men," Khalil said.\n\n‘We will win’\n\n'
            '"It is hard to find patience," Khalil said.\n')  # fmt: skip
    quotes = extract_quotes(make_document(text, "x.txt"))
    assert [q.text for q in quotes] == [
        "I shared a dorm with 70 men",
        "It is hard to find patience",
    ]


def test_the_verbs_of_an_opening_question_clause_are_not_the_sentences():
    from retrieval.documents import make_document

    text = (
        "President Reagan will speak tonight. Asked if the president would say he erred, "
        'spokesman Marlin Fitzwater told reporters, "His views are intensely personal."\n'
    )
    assert [q.speaker for q in extract_quotes(make_document(text, "x.txt"))] == ["Marlin Fitzwater"]
    text = (
        "Mr Tom Hale spoke. When Ms Ana Ruiz asked if he would share the list, he declined, "
        'saying "I am not comfortable with sharing that."\n'
    )
    # the one who asked never speaks the answer (the "he" is left to the pronoun rules)
    assert [q.speaker for q in extract_quotes(make_document(text, "x.txt"))] != ["Ana Ruiz"]


@pytest.mark.parametrize(
    "role", ["analyst with Salomon Inc", "tax partner at EY India", "PTC president and activist"]
)
def test_a_name_then_a_role_in_lower_case_then_the_verb(role):
    from retrieval.documents import make_document

    text = (f'Mark Rogers spoke first. "There is no truth to it," Sherman Chao, {role} said. '
            '"The logic does not support it," he said.\n')  # fmt: skip
    quotes = extract_quotes(make_document(text, "x.txt"))
    assert [q.speaker for q in quotes] == ["Sherman Chao", "Sherman Chao"], quotes


def test_a_compound_modifier_before_a_role_and_name_is_no_verb():
    from retrieval.documents import make_document

    text = ('"Amazon has avoided it for years," noted Maryland-based product liability lawyer '
            "Jim Dunham in an interview.\n")  # fmt: skip
    quotes = extract_quotes(make_document(text, "x.txt"))
    assert [q.speaker for q in quotes] == ["Jim Dunham"], quotes


def test_quotes_glued_to_the_text_around_them_in_scraped_news():
    from retrieval.documents import make_document

    text = ('Marnus Labuschagne said he was unsure of the order."It is game by game," he said.'
            '"I think Usman is a fine player," added Labuschagne.\n')  # fmt: skip
    quotes = extract_quotes(make_document(text, "x.txt"))
    assert [q.text for q in quotes] == ["It is game by game", "I think Usman is a fine player"]
    assert [q.speaker for q in quotes] == ["Marnus Labuschagne", "Marnus Labuschagne"]
    assert all(text[q.start : q.end] == q.text for q in quotes)


WHO_REPORTS_A_QUOTE_AND_WHO_SAID_IT = [
        # "she was warned that “…”": the warner's words, unnamed, not hers nor the last speaker's
        ('Thatcher papers\n\nMrs Margaret Thatcher said: "This is not a correct judgement."\n'
         'Mrs Thatcher was advised by the policy unit to wait until it was "workable". In one '
         'briefing note she was warned that "GCSE is an exam nobody will fail".\n', None),
        # ... but "would be confirmed" is no speech, and the senator's words stay his
        ('Senator Sam Nunn spoke. When asked if he thought Gates would be confirmed, the '
         'senator shot back: "I would not bet any money on it."\n', "Sam Nunn"),
        # the agency that reports a quote is not its speaker
        ('Bank head Jan Baka spoke in Washington. He was quoted by PAP as saying that Poland '
         'would pay, "but not in a short time."\n', "Jan Baka"),
        # "As X said ...:" after a quote is a sentence of its own, not that quote's attribution
        ('A lawyer, Ann Kilpatrick, tweeted that the judge spoke "movingly about her past." As '
         'Judge Rosa Montoya said of the court building: "The first thought I had was that '
         'these steps were not built for people like me."\n', "Rosa Montoya"),
    ]  # fmt: skip


def test_according_to_a_reporter_never_makes_it_the_speaker_of_an_unknown_she():
    """NDTV, scraped: `"…," she said, according to news agency Press Trust of India.` with a
    "she" the rules cannot place: nobody's, never the agency's."""
    from retrieval.documents import make_document

    path = ROOT / "tests/fixtures/quotes_blind9/web_ndtv_diana_hayden_rebukes_deb.txt"
    quotes = extract_quotes(make_document(path.read_text(encoding="utf-8"), path.name))
    assert quotes and "Press Trust of India" not in {q.speaker for q in quotes}


def test_a_headline_in_title_case_names_nobody():
    """People, as scraped: the title-case headline lines at the top gave "Lower Back Tattoo" and
    left Amy Schumer's quotes to it or to nobody."""
    from retrieval.documents import make_document

    path = ROOT / "tests/fixtures/quotes_blind9/web_people_amy_schumer_oprah.txt"
    quotes = extract_quotes(make_document(path.read_text(encoding="utf-8"), path.name))
    speakers = {q.speaker for q in quotes}
    assert "Lower Back Tattoo" not in speakers and "Amy Schumer" in speakers


def test_a_full_name_written_only_inside_a_long_office_title():
    from retrieval.documents import make_document

    text = ("Acting United States Attorney for the District of Massachusetts Joshua Levy said "
            'the case is open. "This ring was built on secrecy," said Levy.\n')  # fmt: skip
    quotes = extract_quotes(make_document(text, "x.txt"))
    assert [q.speaker for q in quotes] == ["Joshua Levy"], quotes
    text = 'Although Citicorp said it would wait, "it will be re-evaluated," Citicorp said.\n'
    assert [q.speaker for q in quotes_of(text)] == ["Citicorp"]


LETTERS_AFTER_A_NAME_ARE_NOT_THE_NAME = [
        ('Peter Ainsworth MP said: "The policy is an example of disjointed thinking."\n',
         "Peter Ainsworth"),
        ('Committee chairman Peter Ainsworth MP, said: "The policy is disjointed."\n',
         "Peter Ainsworth"),
        ('Labour MPs said the plan was "an example of disjointed thinking".\n', None),
    ]  # fmt: skip


AND_INSIDE_A_BODYS_NAME_BUT_NOT_BETWEEN_TWO_SPEAKERS = [
        # a body's name holds its "and" ("Department of Health and Human Services")
        ('"We will act soon," the Department of Health and Human Services said.\n',
         "Department of Health and Human Services"),
        ("But, as the Joint Committee on Intelligence and Security has pointed out, it would be "
         'used "for the purpose of determining the identity of sources".\n',
         "Joint Committee on Intelligence and Security"),
        # ... but two people joined by "and" are nobody alone, nor is a later "he"
        ('Tom Smith and Jane Jones met. "We will act soon," Smith and Jones said.\n', None),
        ('Tom Smith and Jane Jones met. "We will act soon," Smith and Jones said. "Now," he '
         "added.\n", None),
        # ... while "<firm> and Co analyst <name>" and "on Wednesday and Citicorp" keep theirs
        ('"It is worth more," Pershing and Co analyst Richard Henderson said.\n',
         "Richard Henderson"),
        ("Francisco Gros met senior bankers here on Wednesday and Citicorp said talks should "
         'begin in "the near future, and soon".\n', "Citicorp"),
    ]  # fmt: skip

AN_ACRONYM_THE_ARTICLE_DEFINES_IS_ITS_BODY = [
        ('The Committee of Administrators (CoA) met. "Any person involved shall be barred," CoA '
         "said.\n", "Committee of Administrators"),
        ("The Committee of Administrators (CoA) met. Without naming him, CoA made it clear that "
         'rules apply. "Any person involved shall be barred," it said.\n',
         "Committee of Administrators"),
    ]  # fmt: skip
OPENING_CLAUSES_AND_INVERTED_SUBJECTS = [
        # an opening "After X said ...," clause is not the sentence's speaker
        ("After Russia said in March that the plant would open, U.S. Secretary of State Hillary "
         'Clinton said that "it would be premature to go ahead."\n', "Hillary Clinton"),
        # ... but in "When Ghani announced it, he said ..." he is the one who announced
        ("Ms Stephanie Grisham spoke. When Mr Ashraf Ghani announced the swap, he said he hoped "
         'it would "pave the way to peace talks."\n', "Ashraf Ghani"),
        # an opening phrase after "But" is not the subject: the name after it is
        ('"Things matter," said Tadahiro Sekimoto. An NEC spokesman said sales fell.\n    But '
         "after two years of cutbacks in the sector, Sekimoto thinks the time has come.\n    "
         '"We are going to invest," he said.\n', "Tadahiro Sekimoto"),
        # an inverted subject after a question ("“…?” said Thomas Ricks") speaks, and a later
        # "he added" is his, not the Gates named before
        ('Robert Gates spoke first. "What could be more American?" said Thomas Ricks, author '
         'of "Making the Corps," about the Marines. "I would not make changes," he added.\n',
         "Thomas Ricks"),
        # an inverted subject after a quote that ends with its own stop
        ('Oil imports will rise.\n    "Can we afford to import 60 pct of our oil?" asked John '
         "Swearingen, chairman of Continental Illinois Corp.\n", "John Swearingen"),
        # ... after "a" and an adjective, when the name ends the clause
        ('Robert Wolfarth arrived. "It is not enough," said a skeptical Robert Wolfarth, the '
         "trust's new chairman.\n", "Robert Wolfarth"),
        ('Ronald Reagan spoke. "It is not enough," said a senior Reagan aide.\n', None),
        # the head of "<body> <role> <name>, <aside>, said" is the name, not the body
        ("Acme Inc. Chairman Art Levinson, in a statement issued for the board, said the "
         'founder\'s "vision saved the company."\n', "Art Levinson"),
        # ... but a cleft "It was X who" makes X no subject of the next sentences
        ("Karl Otto Poehl is a banker. Kohl will overlook his past as top aide to Helmut "
         "Schmidt when he was Finance Minister, bankers said. It was Schmidt who, as "
         "Chancellor, appointed Poehl to his present job in 1980.\n    But with consumer prices "
         "falling for much of 1986, and inflation negligible so far this year, Poehl thinks it "
         'is safe to relax.\n    "I am of the opinion that rates matter," he told journalists.\n',
         "Karl Otto Poehl"),
    ]  # fmt: skip

# A lower-case fragment in a sentence that reports nobody's words is the paragraph speaker's
# only when the sentence is about that speaker.
A_FRAGMENT_WITHOUT_A_REPORTING_CLAUSE_IS_NOBODYS = [
    ('Sir Keith Joseph wrote a note. "The plan is sound," he wrote. GCSEs were meant to ensure '
     'a focus on "how much pupils understand".\n', None),
    ('"The dollar matters," David Jones said. He believes the Fed is shading policy, "but to '
     'have a major impact it will have to tighten."\n', "David Jones"),
]  # fmt: skip

# A surname one typo from the family name of one person named in full is that person, when it
# is the rarer form; a name written as often is someone of its own.
A_MISSPELT_SURNAME_IS_THE_PERSON_NAMED = [
    ('Trade Representative Clayton Yeutter spoke. Yeutter said talks went well.\n    "There '
     'are dangerous provisions," Yuetter said.\n', "Clayton Yeutter"),
    ('Analyst Peter Johnson spoke. Johnston said it. Johnston left. "Rates will rise," '
     'Johnston said.\n', "Johnston"),
    # ... and a long role word one typo off is still the role, not part of the name
    ('Lloyds Bank Economic Adivser Christopher Johnson said rates would rise. "The dollar has '
     'further to fall," said Johnson.\n', "Christopher Johnson"),
]  # fmt: skip

# Offices and members that lexicon's role words must know.
OFFICES_AND_MEMBERS_ARE_ROLES = [
    ('Agriculture Undersecretary Daniel Amstutz testified. Amstutz said costs "balance off '
     'very closely."\n', "Daniel Amstutz"),
    ('Members of the ruling Liberal Democratic Party (LDP) shun him. "His presence will do '
     'more harm than good," an LDP candidate in Tokyo told Reuters.\n', None),
]  # fmt: skip

# A body's short name is the one body named before whose name starts with it; a place is not.
A_BODYS_SHORT_NAME_IS_THE_BODY = [
    ('Workers at United Airlines and American Airlines will strike. United said it is "taking '
     'the necessary steps to ensure a safe operation."\n', "United Airlines"),
    ('The China Daily reported the talks. China said it was "deeply concerned about the '
     'move."\n', "China"),
    ('Workers at American Airlines will strike. "We are working with our vendors," American '
     'said in a statement.\n', "American Airlines"),
    ('Scientists at the Chinese Academy of Sciences agreed. "It is over," the Chinese said.\n',
     None),
]  # fmt: skip

# "according to <outlet>" after a sentence's own speaker names who reported it, not who spoke.
AN_OUTLET_REPORTS_WHAT_A_SPEAKER_SAID = [
    ('President-elect Donald Trump named Kellyanne Conway. "She is a tireless advocate," the '
     'president-elect said in a statement, according to NBC News.\n', "Donald Trump"),
    ('"It is fine," the spokesman said, according to NBC News.\n', None),
]  # fmt: skip

# After a quote that ends a sentence, "<Name> noted the importance ..." is a sentence of its
# own (the verb has an object); "<Name> said the day before" still reports the quote.
A_VERB_WITH_AN_OBJECT_AFTER_A_QUOTE_IS_A_NEW_SENTENCE = [
    ('"It is serious," said Antonio De Iesu, director of the Milan police. "We have to '
     'understand whether he was in transit." Italian Prime Minister Paolo Gentiloni noted the '
     'importance of the work.\n', "Antonio De Iesu"),
    ('Li Qiang spoke first. "It is over." Zhang Wei said the day before.\n', "Zhang Wei"),
]  # fmt: skip

# A role noun that starts a sentence ("Realtor Ghulam said", after "realtor Shaun Ghulam") is
# no given name: the same person, not a second Ghulam who would make "Ghulam said" nobody's.
A_ROLE_NOUN_STARTING_A_SENTENCE_IS_NO_GIVEN_NAME = [
    ('In Brampton, realtor Shaun Ghulam said prices fell.\nRealtor Ghulam said prices '
     'declined.\n"Check how many times it was listed," Ghulam said.\n', "Shaun Ghulam"),
]  # fmt: skip

# "the Illinois Democrat" is the one lawmaker of the article (an abbreviated office, "Rep.",
# is a role); with two lawmakers it is neither.
THE_STATE_AND_PARTY_MEAN_THE_ONE_LAWMAKER = [
    ('The chairman, Rep. Cardiss Collins, called it "pathetic."\n"It strikes me odd," said '
     'the Illinois Democrat.\n', "Cardiss Collins"),
    ('Senator Bob Dole and Rep. Tom Foley spoke. "It is odd," said the Kansas Republican.\n',
     None),
]  # fmt: skip

# A plural inside a capitalised run that the article also writes in lower case ("Massy Stores
# Westmoorings", "all stores") makes the run a body, never a "he"; a last word stays a surname.
A_PLURAL_NOUN_INSIDE_A_RUN_MAKES_IT_A_BODY = [
    ('Ronald Walcott, a security expert, spoke.\nStaff at Massy Stores Westmoorings wait '
     'outside as all stores closed.\n"It is bad," he said.\n', "Ronald Walcott"),
    ('Rep. Maxine Waters spoke about territorial waters. "It is fine," Waters said.\n',
     "Maxine Waters"),
]  # fmt: skip


def test_a_title_genders_a_one_word_name():
    text = ('Prince Harry spoke first. When Meghan joined the family, she said "that was the '
            'last time I saw my passport."\n')  # fmt: skip
    assert "Harry" not in {q.speaker for q in quotes_of(text)}


def test_the_government_alone_is_nobody_across_articles():
    """A bare "the government said" would make one speaker of every government in the index."""
    text = 'GST revenue rose. "This includes CGST and SGST," the government said.\n'
    assert [q.speaker for q in quotes_of(text)] == [None]


def _named(behaviour: str, rows: list) -> list:
    """Cases of one behaviour, each with an id that says which."""
    return [pytest.param(*row, id=f"{behaviour}-{n}") for n, row in enumerate(rows, start=1)]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        *_named(
            "a-quote-after-reported-speech-continues-it", A_QUOTE_AFTER_REPORTED_SPEECH_CONTINUES_IT
        ),
        *_named(
            "a-pronoun-is-nobody-when-someone-else-acted-since-the-speaker",
            A_PRONOUN_IS_NOBODY_WHEN_SOMEONE_ELSE_ACTED_SINCE_THE_SPEAKER,
        ),
        *_named(
            "names-read-from-the-article-not-from-its-furniture",
            NAMES_READ_FROM_THE_ARTICLE_NOT_FROM_ITS_FURNITURE,
        ),
        *_named(
            "words-quoted-from-another-are-never-the-quoters",
            WORDS_QUOTED_FROM_ANOTHER_ARE_NEVER_THE_QUOTERS,
        ),
        *_named(
            "verbs-that-report-speech-only-right-after-a-quote",
            VERBS_THAT_REPORT_SPEECH_ONLY_RIGHT_AFTER_A_QUOTE,
        ),
        *_named(
            "a-role-means-the-one-titled-name-that-holds-it",
            A_ROLE_MEANS_THE_ONE_TITLED_NAME_THAT_HOLDS_IT,
        ),
        *_named(
            "names-with-bare-initials-and-titled-one-word-names",
            NAMES_WITH_BARE_INITIALS_AND_TITLED_ONE_WORD_NAMES,
        ),
        *_named("who-reports-a-quote-and-who-said-it", WHO_REPORTS_A_QUOTE_AND_WHO_SAID_IT),
        *_named("letters-after-a-name-are-not-the-name", LETTERS_AFTER_A_NAME_ARE_NOT_THE_NAME),
        *_named("opening-clauses-and-inverted-subjects", OPENING_CLAUSES_AND_INVERTED_SUBJECTS),
        *_named(
            "an-acronym-the-article-defines-is-its-body", AN_ACRONYM_THE_ARTICLE_DEFINES_IS_ITS_BODY
        ),
        *_named(
            "and-inside-a-bodys-name-but-not-between-two-speakers",
            AND_INSIDE_A_BODYS_NAME_BUT_NOT_BETWEEN_TWO_SPEAKERS,
        ),
        *_named(
            "a-fragment-without-a-reporting-clause-is-nobodys",
            A_FRAGMENT_WITHOUT_A_REPORTING_CLAUSE_IS_NOBODYS,
        ),
        *_named(
            "a-misspelt-surname-is-the-person-named", A_MISSPELT_SURNAME_IS_THE_PERSON_NAMED
        ),
        *_named("offices-and-members-are-roles", OFFICES_AND_MEMBERS_ARE_ROLES),
        *_named("a-bodys-short-name-is-the-body", A_BODYS_SHORT_NAME_IS_THE_BODY),
        *_named(
            "an-outlet-reports-what-a-speaker-said", AN_OUTLET_REPORTS_WHAT_A_SPEAKER_SAID
        ),
        *_named(
            "a-verb-with-an-object-after-a-quote-is-a-new-sentence",
            A_VERB_WITH_AN_OBJECT_AFTER_A_QUOTE_IS_A_NEW_SENTENCE,
        ),
        *_named(
            "a-role-noun-starting-a-sentence-is-no-given-name",
            A_ROLE_NOUN_STARTING_A_SENTENCE_IS_NO_GIVEN_NAME,
        ),
        *_named(
            "the-state-and-party-mean-the-one-lawmaker", THE_STATE_AND_PARTY_MEAN_THE_ONE_LAWMAKER
        ),
        *_named(
            "a-plural-noun-inside-a-run-makes-it-a-body", A_PLURAL_NOUN_INSIDE_A_RUN_MAKES_IT_A_BODY
        ),
    ],
)
def test_the_last_quote_of_a_text_has_its_speaker(text, speaker):
    """One table for the rules above: each case names the behaviour it holds to."""
    quotes = quotes_of(text)
    assert quotes and quotes[-1].speaker == speaker, quotes
