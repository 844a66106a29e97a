"""Countries as news writes them: the name, the people, the capital and the seat of power.

The one table of countries. Three readers use it:
- attribution and speaker questions: a capital speaks for its country ("Beijing said" is China
  speaking; "Beijing's UN envoy" is China's), and a demonym names it ("the Chinese envoy");
- lexical search: lexical.expand_terms widens a question's terms with the other words of the
  same country, so "What did the Kremlin say?" meets a passage that says "Russian" or "Moscow".

Columns: key (as speakers.py names the country), capitals (the first is today's; "kiev", and
"bonn", which the 1987 Reuters archive uses, follow), the country's names and demonyms, and other
forms that stand for it in copy (seats of power, old names). Only single words: a two-word name
such as "South Africa" would widen "south" everywhere. Compiled from the CIA World Factbook's
"Nationality" and "Capital" fields; the expansion was measured on the real-news dev set
(README, "Answers on real news").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

# key | capitals | names and demonyms | other forms
_TABLE = """
china | beijing | china chinese |
russia | moscow | russia russian russians | kremlin soviet soviets ussr
us | washington | america american americans |
uk | london | britain british uk | whitehall
ukraine | kyiv kiev | ukraine ukrainian ukrainians |
japan | tokyo | japan japanese |
germany | berlin bonn | germany german germans |
france | paris | france french | elysee
pakistan | islamabad | pakistan pakistani pakistanis |
iran | tehran | iran iranian iranians |
india | delhi | india indian indians |
israel | jerusalem | israel israeli israelis |
italy | rome | italy italian italians |
canada | ottawa | canada canadian canadians |
australia | canberra | australia australian australians |
korea | seoul | korea korean koreans |
turkey | ankara | turkey turkish turks |
greece | athens | greece greek greeks |
iraq | baghdad | iraq iraqi iraqis |
egypt | cairo | egypt egyptian egyptians |
brazil | brasilia | brazil brazilian brazilians |
mexico | | mexico mexican mexicans |
spain | madrid | spain spanish |
netherlands | | netherlands dutch | hague
saudi | riyadh | saudi saudis |
nigeria | abuja | nigeria nigerian nigerians |
switzerland | bern | switzerland swiss |
sweden | stockholm | sweden swedish swedes |
poland | warsaw | poland polish poles |
belgium | | belgium belgian belgians |
taiwan | taipei | taiwan taiwanese |
afghanistan | kabul | afghanistan afghan afghans |
philippines | manila | philippines philippine filipino filipinos |
indonesia | jakarta | indonesia indonesian indonesians |
venezuela | caracas | venezuela venezuelan venezuelans |
cuba | havana | cuba cuban cubans |
kenya | nairobi | kenya kenyan kenyans |
bangladesh | dhaka | bangladesh bangladeshi bangladeshis |
qatar | doha | qatar qatari qataris |
senegal | dakar | senegal senegalese |
uganda | kampala | uganda ugandan ugandans |
tanzania | dodoma | tanzania tanzanian tanzanians |
colombia | bogota | colombia colombian colombians |
vietnam | hanoi | vietnam vietnamese |
syria | damascus | syria syrian syrians |
lebanon | beirut | lebanon lebanese |
kuwait | | kuwait kuwaiti kuwaitis |
norway | oslo | norway norwegian norwegians |
denmark | copenhagen | denmark danish danes |
ireland | dublin | ireland irish |
portugal | lisbon | portugal portuguese |
austria | vienna | austria austrian austrians |
hungary | budapest | hungary hungarian hungarians |
argentina | | argentina argentine argentinian argentinians |
chile | santiago | chile chilean chileans |
peru | lima | peru peruvian peruvians |
europe | | europe european |
"""


@dataclass(frozen=True)
class Country:
    key: str
    capitals: tuple[str, ...]
    names: tuple[str, ...]  # the country's names and demonyms
    others: tuple[str, ...]  # seats of power and old names


@functools.cache
def countries() -> tuple[Country, ...]:
    rows = []
    for line in _TABLE.strip().splitlines():
        key, capitals, names, others = (cell.split() for cell in line.split("|"))
        rows.append(Country(key[0], tuple(capitals), tuple(names), tuple(others)))
    return tuple(rows)


def capitals() -> dict[str, str]:
    """Country key -> today's capital."""
    return {c.key: c.capitals[0] for c in countries() if c.capitals}


def country_of_capital() -> dict[str, str]:
    """Every capital spelling -> country key ("kiev" -> "ukraine")."""
    return {capital: c.key for c in countries() for capital in c.capitals}


def country_of_name() -> dict[str, str]:
    """Every name and demonym -> country key ("british" -> "uk"); the key itself excluded."""
    return {name: c.key for c in countries() for name in c.names if name != c.key}


def country_words() -> list[list[str]]:
    """Every word of each country (names, demonyms, capitals, other forms), one list each."""
    return [[*c.names, *c.capitals, *c.others] for c in countries()]
