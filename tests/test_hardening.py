"""Holes a hostile user found: YAML bombs in front matter, NUL bytes late in a file."""

import itertools
import time

import pytest
from conftest import SEED_CORPUS, write
from test_cli import run

from retrieval.documents import MAX_META_CHARS, load_corpus, parse_front_matter


def alias_bomb(levels: int) -> str:
    """Front matter whose title expands to 9**levels strings ("billion laughs")."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    lines.append(f"title: *a{levels - 1}")
    return "---\n" + "\n".join(lines) + "\n---\nThe body of the article, said the editor.\n"


GOOD = "Ferry back in service\n\nThe island ferry resumed service on Sunday, the operator said.\n"


def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    bomb = alias_bomb(9)  # 440-odd bytes; expanded, several GB
    assert len(bomb.encode()) < 600
    with pytest.raises(ValueError, match="anchors or aliases"):
        parse_front_matter(bomb.split("---\n")[1])
    write(tmp_path / "bomb.md", bomb)
    write(tmp_path / "good.txt", GOOD)
    loaded = load_corpus(tmp_path)
    assert [d.title for d in loaded.documents] == ["Ferry back in service"]
    assert len(loaded.warnings) == 1 and "bomb.md" in loaded.warnings[0]
    assert "anchors or aliases" in loaded.warnings[0]


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: [a, b]", "'title' is a list"),
        ("title: {x: 1}", "'title' is a dict"),
        ("title: " + "x" * (MAX_META_CHARS["title"] + 1), "'title' is 501 characters"),
        ("url: " + "u" * 3000, "'url' is 3,000 characters"),
        ("title: ok\n" + "pad: " + "y" * 20000, "front matter is 20,"),
        ("title: ok\nsource: true", "'publisher' is a bool"),
        ("- just\n- a list", "not a YAML mapping"),
        ("title: [unclosed", "does not parse"),
    ],
)
def test_front_matter_takes_short_scalars_only(tmp_path, front, message):
    write(tmp_path / "bad.md", f"---\n{front}\n---\nBody text of the article.\n")
    write(tmp_path / "good.txt", GOOD)
    loaded = load_corpus(tmp_path)
    assert [d.source.rsplit("/", 1)[-1] for d in loaded.documents] == ["good.txt"]
    assert message in loaded.warnings[0], loaded.warnings


def test_front_matter_dates_and_numbers_are_scalars(tmp_path):
    write(tmp_path / "a.md", "---\ntitle: 2024\npublished: 2024-03-01\n---\nBody text here.\n")
    (doc,) = load_corpus(tmp_path).documents
    assert doc.title == "2024" and doc.meta["published"] == "2024-03-01"


def test_jsonl_titles_are_bounded_too(tmp_path):
    long_title = '{"title": "' + "t" * 600 + '", "text": "Body."}'
    write(tmp_path / "a.jsonl", long_title + '\n{"title": "Fine", "text": "Other body."}\n')
    loaded = load_corpus(tmp_path)
    assert [d.title for d in loaded.documents] == ["Fine"]
    assert "a.jsonl#L1" in loaded.warnings[0] and "'title' is 600 characters" in loaded.warnings[0]


def test_nul_bytes_anywhere_mean_binary(tmp_path):
    write(tmp_path / "late.txt", ("Plain text. " * 1000).encode() + b"\x00\x01binary tail")
    write(tmp_path / "good.txt", GOOD)
    loaded = load_corpus(tmp_path)
    assert [d.title for d in loaded.documents] == ["Ferry back in service"]
    assert "late.txt" in loaded.warnings[0] and "NUL bytes" in loaded.warnings[0]


def test_real_ingest_skips_a_bomb_and_indexes_the_rest(tmp_path):
    """`newsqa ingest` end to end: a bomb in corpus/ is a warning, never a crash, every time."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write(corpus / "bomb.md", alias_bomb(6))  # 350-odd bytes: a 34 MB title before the fix
    write(corpus / "good.txt", GOOD)
    done = run(["ingest", "--corpus", str(corpus), "--index", str(index)])
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "bomb.md" in done.stderr and "anchors or aliases" in done.stderr
    write(corpus / "more.txt", "Second story\n\nThe bridge reopened on Monday, officials said.\n")
    again = run(["ingest", "--corpus", str(corpus), "--index", str(index)])  # bomb still there
    assert again.returncode == 0 and "2 articles" in again.stderr, again.stderr
    asked = run(["ask", "ferry service", "--json", "--corpus", str(corpus), "--index", str(index)])
    assert asked.returncode == 0, asked.stderr
    assert '"title": "Ferry back in service"' in asked.stdout
    assert len(asked.stdout) < 20_000


def test_ask_never_writes_after_a_killed_add(tmp_path):
    """A killed `newsqa add` leaves its file in corpus/: `ask` answers at once from the current
    generation and says the corpus changed, instead of re-syncing (55 s at 100k)."""
    from retrieval import Settings, build_index

    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    write(settings.corpus_dir / "good.txt", GOOD)
    before = build_index(settings).generation
    write(settings.corpus_dir / "half-added.txt", "Late\n\nA story a killed add left behind.\n")
    files = sorted(p.name for p in settings.index_dir.iterdir())
    done = run(["ask", "ferry", "--json", "--corpus", str(settings.corpus_dir),
                "--index", str(settings.index_dir)])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "changed since the last ingest" in done.stderr and "newsqa ingest" in done.stderr
    assert sorted(p.name for p in settings.index_dir.iterdir()) == files  # nothing written
    from retrieval.store import read_manifest

    assert read_manifest(settings.index_dir)["generation"] == before
    missing = run(["ask", "ferry", "--corpus", str(settings.corpus_dir),
                   "--index", str(tmp_path / "none")])  # fmt: skip
    assert missing.returncode == 2 and "no index in" in missing.stderr
    assert "; run `newsqa ingest`" in missing.stderr  # the CLI words the remedy as a command


def test_damaged_generation_falls_back_to_the_last_good_one(tmp_path):
    """Plain ingest repairs from the generation before (embedding only what changed since),
    and ask answers from it meanwhile; neither needs a full --rebuild."""
    from retrieval import Settings, add_paths, build_index, sync
    from retrieval.store import read_manifest
    from retrieval.update import open_for_questions

    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    write(settings.corpus_dir / "good.txt", GOOD)
    first = build_index(settings).generation
    more = write(tmp_path / "more.txt", "Bridge news\n\nThe bridge reopened on Monday.\n")
    second = add_paths(settings, [more])[0].generation
    damaged = settings.index_dir / second / "passages.npy"
    data = bytearray(damaged.read_bytes())
    data[-3] ^= 0x01
    damaged.write_bytes(bytes(data))

    logged = []
    index = open_for_questions(settings, log=logged.append)
    assert index.generation == first and "answering from generation" in logged[0]

    logged.clear()
    repaired, report = sync(settings, log=logged.append)
    assert any("last good generation " + first in line for line in logged), logged
    assert report.added == ["more.txt"] or [a.rsplit("/", 1)[-1] for a in report.added] == [
        "more.txt"
    ]
    assert report.unchanged == 1  # the good article's vectors were reused, not re-embedded
    assert read_manifest(settings.index_dir)["generation"] == repaired.generation != second
    assert {d.title for d in repaired.documents.values()} == {"Ferry back in service",
                                                              "Bridge news"}  # fmt: skip


# Pieces that make backtracking patterns explode, for the rules that read uploaded articles.
_DOC_UNITS = ["\"", "“", "”", "said ", " ", "\n", "\n\n", ".", "...", "Mr. ", "A. ", "<a ",
              "Zhang ", "he said, \"", "according to ", "’s ", ", ", "—", "the ", "U.S. ",
              "also has ", "said on Monday", "(WHO) ", "\t \t", ":\""]  # fmt: skip


def _cost(text: str) -> float:
    from retrieval import Settings
    from retrieval.documents import make_document
    from retrieval.passages import split_document, split_sentences
    from retrieval.quotes import extract_quotes

    started = time.perf_counter()
    doc = make_document(text, "x.txt")
    split_sentences(split_document(doc, Settings()))
    extract_quotes(doc)
    return time.perf_counter() - started


def test_reading_a_hostile_article_costs_time_linear_in_its_length():
    """200 adversarial 20 KB articles (repeated pieces of the rules' own words): the worst costs at
    most 100x a real article per character (one quote per paragraph is real work), and 4x its
    length costs at most 6x the time (linear: 4x; a quadratic rule: 16x)."""
    real = "\n\n".join(p.read_text() for p in sorted(SEED_CORPUS.glob("*.txt")))
    normal = (real * (20_000 // len(real) + 1))[:20_000]
    per_char = min(_cost(normal) for _ in range(3)) / len(normal)
    worst = ("", 0.0)
    for a, b in itertools.product(_DOC_UNITS[:8], _DOC_UNITS):
        unit = a + b
        text = "Headline\n\n" + unit * (20_000 // len(unit))
        spent = _cost(text) / len(text)
        if spent > worst[1]:
            worst = (unit, spent)
    print(f"worst: {worst[0]!r} at {worst[1] / per_char:.1f}x a real article's cost per character")
    assert worst[1] <= 100 * per_char, f"{worst[0]!r}: {worst[1] / per_char:.0f}x a real article"
    small, large = ("Headline\n\n" + worst[0] * (n // len(worst[0])) for n in (5_000, 20_000))
    growth = min(_cost(large) for _ in range(2)) / min(_cost(small) for _ in range(2))
    assert growth <= 6, f"{worst[0]!r}: 4x the length cost {growth:.1f}x the time"


def test_deeply_nested_front_matter_or_json_is_skipped(tmp_path):
    write(tmp_path / "deep.md", "---\ntitle: " + "[" * 5000 + "\n---\nBody.\n")
    write(tmp_path / "deep.jsonl", '{"text": "x", "a": ' + "[" * 100_000 + "\n")
    write(tmp_path / "good.txt", GOOD)
    loaded = load_corpus(tmp_path)
    assert [d.title for d in loaded.documents] == ["Ferry back in service"]
    assert any("nested too deeply" in w for w in loaded.warnings), loaded.warnings


def test_sentence_rule_is_linear_on_runs_of_short_words():
    from retrieval.sentences import sentence_spans

    def cost(n):
        started = time.perf_counter()
        sentence_spans("ab." * n)
        return time.perf_counter() - started

    small, large = min(cost(4000) for _ in range(3)), min(cost(16000) for _ in range(3))
    assert large <= 8 * small, f"4x the length cost {large / small:.1f}x the time"
