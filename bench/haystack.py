"""A name-clash haystack: the seed articles inside thousands of articles where other people share
the seed speakers' family and given names, the seed speakers are named but never quoted, and
organisations speak. Asked inside it, a seed speaker's question must return only their own quotes.

    .venv/bin/python bench/haystack.py                        # extraction only, ~10 s
    .venv/bin/python bench/haystack.py --index /tmp/hay-index # also the real answers (embeds all)
    .venv/bin/python bench/haystack.py --articles 2000 --seed 3 --keep /tmp/haystack

Prints, per seed speaker question, the quotes returned (or attributed, without --index), how many
are really theirs, and the quotes returned for people who are named but never quoted.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# People who share a family or a given name with a seed speaker (Zhang Jun, Wang Yi, Zhao Lijian,
# Antony Blinken): never the same full name.
CLASHING = [
    ("Zhang", "Wei"),
    ("Zhang", "Li"),
    ("Zhang", "Hui"),
    ("Li", "Jun"),
    ("Wang", "Jun"),
    ("Wang", "Lei"),
    ("Wang", "Fang"),
    ("Liu", "Yi"),
    ("Chen", "Yi"),
    ("Zhao", "Min"),
    ("Zhao", "Lei"),
    ("Sun", "Lijian"),
    ("Donald", "Blinken"),
    ("Sara", "Blinken"),
    ("Antony", "Marsh"),
    ("Antony", "Quill"),
]
EAST_ASIAN = {"Zhang", "Wang", "Li", "Zhao", "Liu", "Chen", "Sun"}
ROLES = [
    "economist at Fudan University",
    "spokesperson for the Shanghai port authority",
    "professor of law at Renmin University",
    "chief executive of Harbour Tech",
    "analyst at Meridian Capital",
    "coach of the provincial volleyball team",
    "director of the city museum",
    "lawyer representing the families",
]
BODIES = [
    ("the Shanghai port authority", "the authority"),
    ("Harbour Tech", "the company"),
    ("the provincial health commission", "the commission"),
    ("the Ministry of Commerce", "the ministry"),
    ("Meridian Capital", "the firm"),
]
SEED_MENTIONS = [
    "Chinese Foreign Minister Wang Yi",
    "Zhang Jun, China's envoy to the United Nations",
    "US Secretary of State Antony Blinken",
    "foreign ministry spokesman Zhao Lijian",
    "Russian President Vladimir Putin",
    "French President Emmanuel Macron",
]
TOPICS = [
    "port fees",
    "rice prices",
    "a new metro line",
    "the volleyball final",
    "flood defences",
    "a museum exhibition",
    "chip exports",
    "the property market",
]
SAYINGS = [
    "We expect the situation to improve by the end of the year",
    "This is a serious problem and it needs a serious answer",
    "Nobody wants to see prices rise again",
    "The figures speak for themselves",
    "We will keep talking until there is an agreement",
    "It is too early to say what the effect will be",
]
SEED_SPEAKERS = {"Zhang Jun", "Wang Yi", "Zhao Lijian", "Antony Blinken"}
NOT_QUOTED = ["Vladimir Putin", "Emmanuel Macron", "Putin", "Macron"]


def full(person: tuple[str, str]) -> str:
    first, second = person
    return f"{first} {second}"


def family(person: tuple[str, str]) -> str:
    return person[0] if person[0] in EAST_ASIAN else person[1]


def article(rng: random.Random, n: int) -> str:
    a, b = rng.sample(CLASHING, 2)
    body, body_alias = rng.choice(BODIES)
    seed = rng.choice(SEED_MENTIONS)
    topic = rng.choice(TOPICS)
    s1, s2, s3, s4 = rng.sample(SAYINGS, 4)
    role = rng.choice(ROLES)
    paragraphs = [
        f"Officials clash over {topic} (report {n})",
        f"{full(a)}, {role}, said on Monday that {topic} would dominate the agenda. "
        f'"{s1}," {family(a)} said.',
        f"{seed} was also in the city this week, but did not speak about {topic}.",
        f"{full(b)} disagreed with {full(a)}. \u201c{s2},\u201d he said after meeting {seed}.",
        f"{body[0].upper() + body[1:]} said in a statement that it was studying the plan. "
        f'"{s3}," {body_alias} said.',
        f'"{s4}," said {full(b)}, who spoke after {family(a)}.',
    ]
    return "\n\n".join(paragraphs) + "\n"


def write_haystack(folder: Path, articles: int, seed: int) -> None:
    rng = random.Random(seed)
    for name in (
        "china-backs-russia-security-concerns.txt",
        "china-wants-us-to-yield-to-russia-nato.txt",
    ):
        shutil.copyfile(ROOT / "corpus" / name, folder / name)
    for n in range(articles):
        (folder / f"hay-{n:05d}.txt").write_text(article(rng, n), encoding="utf-8")


QUESTIONS = [
    "What did Zhang Jun say?",
    "What did Wang Yi say?",
    "What did Zhao Lijian say?",
    "What did Blinken say?",
    "What did Antony Blinken say?",
    "What did Zhang say?",
    "What did Wang say?",
    "What did the Chinese ambassador to the UN say?",
]
NOT_QUOTED_QUESTIONS = [
    "What did Putin say?",
    "What did Emmanuel Macron say about Pakistan?",
    "What did Macron say?",
]


REUTERS = ROOT.parent / "shared" / "data" / "reuters21578"


def reuters_texts(folder: Path = REUTERS) -> list[tuple[str, str]]:
    """(NEWID, title + body) of every Reuters-21578 story with a body."""
    import html
    import re

    record = re.compile(r'<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
    title = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
    body = re.compile(r"<BODY>(.*?)</BODY>", re.S)
    out = []
    for path in sorted(folder.glob("reut2-*.sgm")):
        for m in record.finditer(path.read_text(encoding="latin-1")):
            b = body.search(m.group(2))
            if b:
                t = title.search(m.group(2))
                head = html.unescape(t.group(1)) if t else ""
                text = html.unescape(b.group(1)).replace("\x03", "").rstrip()
                out.append((m.group(1), f"{head}\n\n{text}\n"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--index", type=Path, help="build an index here and ask for real")
    parser.add_argument("--keep", type=Path, help="write the corpus here (kept)")
    parser.add_argument("--reuters", action="store_true",
                        help="also every Reuters-21578 story (18k), extraction only")  # fmt: skip
    args = parser.parse_args()

    from retrieval.documents import load_corpus
    from retrieval.quotes import extract_quotes

    tmp = tempfile.TemporaryDirectory()
    folder = args.keep or Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    write_haystack(folder, args.articles, args.seed)
    documents = load_corpus(folder).documents
    seed_docs = {d.doc_id for d in documents if not d.source.rsplit("/", 1)[-1].startswith("hay-")}
    started = time.perf_counter()
    quotes = [q for d in documents for q in extract_quotes(d)]
    seconds = time.perf_counter() - started
    print(f"{len(documents)} articles ({len(seed_docs)} seed), {len(quotes)} quotes extracted "
          f"in {seconds:.1f} s")  # fmt: skip
    if args.reuters:
        from retrieval.documents import make_document

        started = time.perf_counter()
        stories = [make_document(t, f"reuters#{i}") for i, t in reuters_texts()]
        more = [q for d in stories for q in extract_quotes(d)]
        print(f"+ {len(stories)} Reuters stories: {len(more)} quotes, "
              f"{sum(q.speaker is not None for q in more)} attributed, "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        quotes += more
    wrong = [q for q in quotes if q.speaker in SEED_SPEAKERS and q.doc_id not in seed_docs]
    named = [q for q in quotes if q.speaker in NOT_QUOTED]
    print(f"quotes attributed to a seed speaker outside the seed articles: {len(wrong)}")
    print(f"quotes attributed to people named but never quoted: {len(named)}")
    for q in (wrong + named)[:10]:
        print(f"  {q.speaker!r} ({q.attribution}): {q.text[:70]!r}")

    if args.index:
        from retrieval import Settings, ask, build_index

        index = build_index(Settings(corpus_dir=folder, index_dir=args.index), log=print)
        print("\n| question | quotes returned | really theirs (seed) | speaker | note |")
        print("|---|---|---|---|---|")
        for question in QUESTIONS + NOT_QUOTED_QUESTIONS:
            answer = ask(index, question, k=10)
            returned = answer.quotes
            theirs = sum(1 for q in returned if q.doc_id in seed_docs)
            who = answer.speaker.name if answer.speaker else "-"
            print(f"| {question} | {len(returned)} | {theirs} | {who} | {answer.lead[:70]} |")
    tmp.cleanup()


if __name__ == "__main__":
    main()
