"""A seeded synthetic news-like corpus: articles of paragraphs with names, places and quotes.

    .venv/bin/python bench/synthetic.py OUT_DIR --articles 1000 --paragraphs 10 [--seed 7]

Same seed, same corpus. Paragraphs are 150-400 characters, so each becomes one passage.
"""

import argparse
import random
from pathlib import Path

# Pools are large enough that sentences rarely repeat word for word (a corpus of copies would
# make approximate search look better than it is).
FIRST = [
    "Anna",
    "Li",
    "Omar",
    "Sofia",
    "Kenji",
    "Maria",
    "David",
    "Aisha",
    "Pavel",
    "Chen",
    "Lucia",
    "Tomas",
    "Nadia",
    "Kwame",
    "Ingrid",
    "Rahul",
    "Yuki",
    "Elena",
    "Samir",
    "Grace",
    "Mateo",
    "Hana",
    "Viktor",
    "Amara",
    "Jonas",
    "Leila",
    "Diego",
    "Mei",
    "Farid",
    "Olga",
]
LAST = ["Novak", "Wang", "Haddad", "Rossi", "Tanaka", "Silva", "Cohen", "Okafor", "Ivanov", "Liu",
        "Moreau", "Kowalski", "Mensah", "Larsen", "Sharma", "Sato", "Petrova", "Nasser", "Brennan",
        "Alvarez", "Kim", "Horvat", "Adeyemi", "Berg", "Rahimi", "Costa", "Zhou", "Fischer",
        "Abebe", "Popescu"]  # fmt: skip
ROLES = [
    "the finance minister",
    "a spokeswoman for the ministry",
    "the mayor",
    "the union leader",
    "a senior diplomat",
    "the chief executive",
    "an economist at the central bank",
]
PLACES = [
    "Lisbon",
    "Nairobi",
    "Osaka",
    "Quito",
    "Tallinn",
    "Hanoi",
    "Accra",
    "Perth",
    "Lyon",
    "Gdansk",
    "Mombasa",
    "Sapporo",
    "Cusco",
    "Tartu",
    "Da Nang",
    "Kumasi",
    "Darwin",
    "Nantes",
    "Porto",
    "Kisumu",
    "Kobe",
    "Arequipa",
    "Riga",
    "Hue",
    "Tamale",
    "Hobart",
    "Lille",
]
TOPICS = [
    "the port strike",
    "the fuel subsidy",
    "the rail tender",
    "the drought plan",
    "the budget vote",
    "the border talks",
    "the vaccine rollout",
    "the housing law",
    "the water tariff",
    "the pension reform",
    "the airport expansion",
    "the fishing quota",
    "the minimum wage",
    "the coal phase-out",
    "the school meals scheme",
    "the bridge contract",
    "the tax amnesty",
    "the refugee quota",
    "the grain export deal",
    "the metro extension",
]
VERBS = [
    "warned",
    "argued",
    "insisted",
    "conceded",
    "noted",
    "predicted",
    "claimed",
    "suggested",
    "admitted",
    "stressed",
]
CLAIMS = [
    "costs would rise before they fall",
    "the deal could collapse within weeks",
    "talks would resume on Monday",
    "the plan lacked funding",
    "investors were nervous",
    "workers deserved a fair share",
    "the timetable was unrealistic",
    "prices had already doubled in the north",
    "farmers would bear most of the cost",
    "the courts might block the measure",
    "exports had fallen for a third month",
    "the money would run out by spring",
    "small firms were being ignored",
    "the opposition had no alternative",
    "inflation was finally easing",
    "the vote had been rushed",
    "rural towns stood to lose the most",
    "the auditors had found serious gaps",
    "the lenders wanted firmer guarantees",
    "turnout at the protests was growing",
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
