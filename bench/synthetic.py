"""A seeded synthetic news-like corpus: articles of paragraphs with names, places and quotes.

    .venv/bin/python bench/synthetic.py OUT_DIR --articles 1000 --paragraphs 10 [--seed 7]

Same seed, same corpus. Paragraphs are 150-400 characters, so each becomes one passage.
"""

import argparse
import random
from pathlib import Path

FIRST = ["Anna", "Li", "Omar", "Sofia", "Kenji", "Maria", "David", "Aisha", "Pavel", "Chen"]
LAST = ["Novak", "Wang", "Haddad", "Rossi", "Tanaka", "Silva", "Cohen", "Okafor", "Ivanov", "Liu"]
ROLES = [
    "the finance minister",
    "a spokeswoman for the ministry",
    "the mayor",
    "the union leader",
    "a senior diplomat",
    "the chief executive",
    "an economist at the central bank",
]
PLACES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Hanoi", "Accra", "Perth", "Lyon"]
TOPICS = [
    "the port strike",
    "the fuel subsidy",
    "the rail tender",
    "the drought plan",
    "the budget vote",
    "the border talks",
    "the vaccine rollout",
    "the housing law",
]
VERBS = ["warned", "argued", "insisted", "conceded", "noted", "predicted"]
CLAIMS = [
    "costs would rise before they fall",
    "the deal could collapse within weeks",
    "talks would resume on Monday",
    "the plan lacked funding",
    "investors were nervous",
    "workers deserved a fair share",
    "the timetable was unrealistic",
]


def paragraph(rng: random.Random) -> str:
    person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    place, topic = rng.choice(PLACES), rng.choice(TOPICS)
    kind = rng.random()
    if kind < 0.4:
        return (
            f"“We cannot accept {topic} in its current form,” {person}, {rng.choice(ROLES)}, "
            f"said in {place} on {rng.choice(['Monday', 'Tuesday', 'Friday'])}. "
            f"“{rng.choice(CLAIMS).capitalize()}.”"
        )
    if kind < 0.7:
        return (
            f"Officials in {place} said {topic} had drawn {rng.randint(2, 90)},000 comments. "
            f"{person} {rng.choice(VERBS)} that {rng.choice(CLAIMS)}, while critics said "
            f"{rng.choice(CLAIMS)}."
        )
    return (
        f"The debate over {topic} in {place} has stretched for {rng.randint(2, 30)} months. "
        f"Analysts expect {rng.choice(CLAIMS)}, and {person} {rng.choice(VERBS)} that "
        f"{rng.choice(CLAIMS)} unless {rng.choice(TOPICS)} moves first."
    )


def article(rng: random.Random, paragraphs: int) -> str:
    title = f"{rng.choice(PLACES)} weighs {rng.choice(TOPICS)}"
    return title + "\n\n" + "\n\n".join(paragraph(rng) for _ in range(paragraphs)) + "\n"


def write_corpus(out: Path, articles: int, paragraphs: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(articles):
        path = out / f"article-{n:06d}.txt"
        path.write_text(article(rng, paragraphs), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--paragraphs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(len(write_corpus(args.out, args.articles, args.paragraphs, args.seed)), "articles")
