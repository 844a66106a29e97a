"""The words attribution reads by: speech verbs, roles, titles, bodies, name shapes.

One place for the vocabulary that retrieval/entities.py (who is in an article),
retrieval/attribution.py (who said a quote) and retrieval/quotes.py (what is a quote) share.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- vocabulary

QMASK = "\x00"  # stands in for quoted words in the masked copy of the text

_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"

# Speech verbs, lower case only (so "States" in "United States" never reads as a verb). Nouns that
# double as verbs ("note", "claim") are left out: "according to a note from" is not a clause.
_SPEECH_VERB_WORDS = """
say says said saying tell tells told telling add adds added adding urge urges urged urging
warn warns warned warning highlight highlights highlighted highlighting suggest suggests
suggested suggesting claimed claiming stated stating noted noting ask asks asked asking
explain explains explained explaining insist insists insisted insisting argue argues argued
arguing announce announced announcing declare declared declaring stress stressed stressing
emphasised emphasized emphasising emphasizing wrote writes tweeted replied responded answered
acknowledged admitted remarked commented predicted vowed pledged promised demanded accused
criticised criticized denied cautioned conceded recalled reiterated observed confirmed
assured complained countered writing describe describes described describing
retorted quipped chimed exclaimed shouted yelled whispered joked lamented mused boasted revealed
disclosed contended asserted alleged testified posted tweets tweeting texted responds counters
""".split()
SPEECH_VERB = re.compile(
    r"\b(?:(?:call|calls|called|calling)\s+(?:on|for)|point(?:s|ed|ing)?\s+out|"
    + "|".join(sorted(_SPEECH_VERB_WORDS, key=len, reverse=True))
    + r")\b"
)
# Before a participle they make it passive: "he was told", "when asked about".
_BE_FORMS = {"is", "are", "was", "were", "be", "been", "being", "get", "gets", "got"}
_WHEN_WORDS = {"when", "if", "once", "after", "before", "unless", "until", "while"}
# `according to X`: the source of the sentence when no speech verb names one.
ACCORDING_TO = re.compile(r"\b[Aa]ccording\s+to\s+")

# Words between a subject and its verb: "Wang also called on", "Zhang on Tuesday said".
_TRAILING_ADVERBS = re.compile(
    r"(?:\s+(?:also|later|then|again|further|previously|once|earlier|separately|publicly|"
    r"privately|recently|reportedly|repeatedly|subsequently|has|had|have|was|were|is|are|would|"
    r"will|did|does|do|not|never|yesterday|today|tonight|"
    rf"(?:on|last|this|late|early)\s+(?:{_DAYS})|{_DAYS}))+\s*$"
)
# A noun phrase right after a preposition is no subject: "Officials in Kyiv said".
_PREPOSITION_END = re.compile(
    r"\b(?:in|from|at|of|with|near|by|for|across|inside|outside|over|to|into|about)\s+$",
    re.IGNORECASE,
)
# A clause that starts with a conjunction has no subject of its own: "..., but suggested".
_LEADING_CONJUNCTION = re.compile(
    r"^\s*(?:but|and|or|while|as|when|who|which|then|yet|so|where|although|though)\b"
)
# Introductory phrase before a sentence's subject: "According to ..., Blinken highlighted".
_INTRO_WORDS = (
    r"According|In|On|At|After|Before|During|Asked|Speaking|Earlier|Later|Meanwhile|"
    r"However|Separately|Still|Yet|Also|Last|This|For|Following|Despite|Amid|Under|Unlike|"
    r"With|Without|Since|When|While"
)
# An opening phrase before a sentence's subject, also after a conjunction ("But after two years
# of cutbacks, Sekimoto thinks"), and one "and ..." more ("But with prices falling, and
# inflation negligible, Poehl thinks").
_INTRO = re.compile(
    rf"(?:(?:But|And|Yet|So)\s+(?i:{_INTRO_WORDS})|(?:{_INTRO_WORDS}))\b[^,\x00]{{0,120}},\s*"
    r"(?:and\s+[^,\x00]{0,80},\s*)?"
)
# A clause break: the subject of a verb never reaches back across one.
_CUT_CHARS = frozenset(',;:()[]"“”‘—–' + QMASK)
# Latin letters, diacritics included (Marta Ibáñez, Łukasz Nowak): names are matched with these.
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de" + "".join(
    c for c in map(chr, range(0x100, 0x180)) if c.isupper()
)
# A soft hyphen (U+00AD, common in scraped text: "Peg\u00adula") is part of a word.
_LOWER = "a-z\u00ad\u00df-\u00f6\u00f8-\u00ff" + "".join(
    c for c in map(chr, range(0x100, 0x180)) if not c.isupper()
)
SOFT_HYPHEN = "\u00ad"
_ALNUM = f"{_UPPER}{_LOWER}0-9"
_TOKEN = re.compile(rf"[{_ALNUM}][\w’'.\-]*")
_WORD = re.compile(rf"[{_ALNUM}]+(?:[’'\-][{_ALNUM}]+)*")

PRONOUNS = {"he", "she", "they", "it"}
_DETERMINERS = {"the", "a", "an"}
_POSSESSIVE_DETERMINERS = {"his", "her", "its", "their", "our", "my", "your"}
_CONNECTORS = {"of", "to", "for", "the", "at", "on"}  # "Ambassador to the United Nations"
# Head words of a role or title: a phrase with one refers to a person by office.
ROLE_HEADS = set(
    """minister ambassador secretary secretary-general president premier chancellor spokesman
    spokeswoman spokesperson diplomat envoy official general director chief chairman chairwoman
    chair governor senator mayor leader king queen prince ceo commissioner adviser advisor
    representative lawmaker professor commander deputy negotiator prosecutor judge economist
    analyst counterpart head justice barrister lawyer attorney solicitor coach captain manager
    executive boss founder campaigner activist delegate legislator teacher bishop inspector
    detective officer sergeant colonel admiral councillor councilor councilman councilwoman
    congressman congresswoman investigator actor actress singer director producer author writer
    columnist editor reporter journalist correspondent novelist artist musician rapper comedian
    player striker goalkeeper midfielder defender forward quarterback pitcher athlete scientist
    researcher doctor physician surgeon nurse engineer architect historian curator chef pastor
    rabbi imam cardinal archbishop pope sheriff constable trooper marshal warden superintendent
    principal dean provost chancellor counsel litigator plaintiff defendant witness trustee
    treasurer mp mla mna senator-elect advocate investor strategist trader broker banker
    democrat republican tourist resident witness student worker farmer shopper passenger
    survivor victim neighbour neighbor aide staffer insider source mother father brother
    sister son daughter wife husband widow widower grandmother grandfather aunt uncle
    cousin partner girlfriend boyfriend fiancee fiance mum dad
    economist-in-chief comptroller controller auditor chargé champion bowler batsman batter
    rider cyclist driver runner swimmer boxer jockey trainer skipper psychiatrist psychologist
    therapist dentist pharmacist paramedic pilot soldier firefighter policeman policewoman
    lecturer academic accountant consultant photographer filmmaker presenter broadcaster
    commentator pundit blogger lady member undersecretary under-secretary candidate nominee
    president-elect vice-president governor-elect mayor-elect rapporteur businessman
    businesswoman entrepreneur industrialist tycoon""".split()
)
# Other words that may appear inside a role: "China’s top diplomat", "former ministry official".
_ROLE_WORDS = ROLE_HEADS | set(
    """top senior former foreign defence defense state affairs interior finance trade commerce
    prime vice acting national security ministry department general assistant special
    permanent executive""".split()
)
# Plural or vague subjects that are speakers we cannot name: "Western officials said".
_GROUP_WORDS = set(
    """officials analysts experts critics diplomats sources people residents witnesses observers
    lawmakers reporters media some many others several""".split()
)
# Generic descriptions of a body, kept as written: "the ministry said" -> "the ministry".
_BODY_HEADS = set(
    """ministry government kremlin embassy agency department company administration office
    military army police alliance bloc council committee commission authority union association
    federation court tribunal board regulator watchdog institute airline carrier firm bank insurer
    group campaign party hospital university charity organisation organization network guild
    society coalition league foundation corporation trust club fund school academy museum
    college""".split()
)
# News media named by their kind: "the newspaper warned" is the one paper the story named.
_MEDIA_HEADS = {"newspaper", "magazine", "broadcaster", "daily", "tabloid", "website"}
_MEDIA_NAMES = {
    "times", "post", "news", "journal", "herald", "tribune", "daily", "telegraph", "gazette",
    "guardian", "observer", "independent", "express", "mail", "mirror", "standard", "star",
    "chronicle", "examiner", "inquirer", "globe", "sun", "review", "weekly", "magazine",
}  # fmt: skip
# Last words that make a capitalised run a body, never a person: "American Motors Corp".
_BODY_SUFFIXES = _BODY_HEADS | set(
    """corp co inc ltd plc llc ag sa nv bv gmbh spa holdings industries enterprises partners
    workers brothers associates services systems technologies airlines airways motors press
    times post news journal telegraph herald tribune museum gallery library zoo theatre theater
    school college academy clinic centre center system network channel broadcasting
    service therapeutics pharmaceuticals biosciences biotech labs laboratories medicine
    capital securities investments bancorp club concern trust fund forum initiative movement
    front exchange index market bourse futures commodities chamber chambers""".split()
)
# Forms of address: a role of their own ("Dr", "Sir"), never part of the name.
# Forms of address of other traditions too: "Ayatollah Ruhollah Khomeini" is Ruhollah Khomeini.
_HONORIFICS = set(
    """mr mrs ms miss dr sir dame lord lady prof rev reverend ayatollah hojatoleslam maulana
    mufti hazrat sardar begum haji hajji ustad pandit shri sri smt mullah emir sultan sheikh
    shaikh""".split()
)
# Lower-case words that never describe a body: "the said ministry" is no "Said Ministry".
_NOT_MODIFIERS = set(
    """a an the and or but of to in on at for by with from as is are was were be been has have had
    said says told also its his her their our this that these those which who""".split()
)
# Capitalised words that never belong to a person's name. Keeps "United States", "Cold War" and
# "Beijing Winter Olympics" out of the alias table.
_FUNCTION_WORDS = set(
    """the a an in on at for but and or if as when while after before during according asked
    speaking some many most other others this that these those it he she they we i you his her
    their our its there here what who why how where which meanwhile however still yet also even
    now then earlier later last next new western eastern northern southern central north south
    east west comments click read analysts critics officials not no to from with by about into
    over""".split()
)
_TITLE_WORDS = set(
    """president minister foreign secretary secretary-general general ambassador spokesman
    spokeswoman chancellor premier prime vice deputy chief state senator governor mayor king queen
    prince commander director chairman mr mrs ms dr sir lord lady pope judge justice prosecutor
    coach captain dame rev reverend bishop archbishop cardinal rabbi imam sheikh detective
    inspector sergeant colonel lieutenant admiral marshal professor prof madam councillor councilor
    councilman councilwoman alderman congressman congresswoman assemblyman assemblywoman
    leader speaker whip exchequer majority minority democratic republican sen rep gov gen
    chair chairperson pm cm fm mahatma president-elect vice-president prime-minister
    ombudsman ayatollah hojatoleslam maulana mufti emir sultan sheikh pictured above below
    undersecretary under-secretary
    inset swede briton dane finn pole scot brit aussie kiwi
    governor-elect mayor-elect senator-elect
    lt col sgt capt cmdr supt insp hon""".split()
)
# Title abbreviations a full stop does not end: "State Sen. Michael Doherty", "Lt. Col. Hart".
TITLE_ABBREVIATIONS = set(
    """mr mrs ms dr sen rep gov gen lt col maj capt cmdr adm sgt cpl st prof rev hon fr supt
    insp det""".split()
)
_NATIONALITY_WORDS = set(
    """chinese russian american ukrainian german french british european japanese korean indian
    israeli iranian turkish polish taiwanese african asian arab italian spanish canadian""".split()
)
_CALENDAR_WORDS = set(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
    tomorrow""".split()
)
_PLACE_AND_BODY_WORDS = set(
    """united states nations kingdom china russia ukraine beijing moscow washington kyiv kiev
    taiwan taipei europe asia america germany france britain berlin paris london brussels geneva
    japan tokyo korea seoul india israel iran xinjiang tianjin hong kong syria crimea donbas africa
    nato eu un ministry department council committee house kremlin pentagon congress senate
    parliament party union organization organisation group bank fund agency office commission
    court affairs commerce defence defense security cold war winter summer olympics olympic games
    examiner times post news press reuters street sea ocean river university institute alliance
    forces army navy air force republic federation democrats republicans communist room building
    centre center stadium airport station palace hotel hospital square""".split()
)
# Alone, these are no speaker: "Western said", "Tuesday said" are misreadings.
_NOT_A_SPEAKER = _FUNCTION_WORDS | _TITLE_WORDS | _NATIONALITY_WORDS | _CALENDAR_WORDS
NON_NAME = _NOT_A_SPEAKER | _PLACE_AND_BODY_WORDS
# Family names written first (Chinese, Korean, Vietnamese): "Zhang Jun" is "Zhang", not "Jun".
EAST_ASIAN_FAMILY_NAMES = set(
    """zhang wang li liu chen yang zhao huang zhou wu xu sun ma zhu hu guo lin luo gao xi qin
    zheng liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du
    ye cheng wei su lu ding ren shen yao jin fu zhong cui tan shi shu mao lei lai hou qian bai
    wen xue yan jia kim park lee choi jung kang cho yoon jang lim moon nguyen tran pham hoang
    phan vu dang bui ngo duong""".split()
)
# Words that make a short quoted phrase a label, not speech: so-called “peace initiative”.
_LABEL_BEFORE = re.compile(
    r"(?:so-called|dubbed|called|titled|entitled|named|nicknamed|termed|labell?ed|known as|"
    r"headlined|captioned|the (?:term|word|words|phrase|slogan|motto|hashtag|headline|caption))"
    r"\s+(?:(?:the|a|an|its|their)\s+)?$",
    re.IGNORECASE,
)
# Last words that can end a label phrase (checked before the regex, which is slower).
_LABEL_TRIGGERS = set(
    """so-called dubbed called titled entitled named nicknamed termed labelled labeled as term
    word words phrase slogan motto hashtag headline headlined caption captioned the a an its
    their""".split()
)
# Lower-case words inside a title: “A Path to Lasting Security”, “War and Peace”.
_TITLE_LINKS = set("a an the of to in on at for and or nor but with by from as vs".split())
# A determiner right before a short quoted noun phrase marks a scare quote: a “draft treaty”.
# Words that may follow quoted speech inside a sentence; any other lower-case word right after
# a short quote makes the quote a modifier ("a “friend of the court” brief", "“gig economy”
# workers"): a label, not speech.
_AFTER_SPEECH = set(
    """and or but nor of to in on at for with by from as that which who whom whose is are was were
    be been has have had will would could should may might can must do does did he she it they we
    i you said says say the a an than over about into onto after before because if when while
    since until not so also then there this these those its his her their our between against
    among amid during without within through toward towards under upon per such even just only
    yet all both either whether where why how what despite like unlike instead rather again
    too now here up down out off across around near beyond via including especially""".split()
)
# A quote that is then defined is a term: "“In play” is a term used on Wall Street".
_DEFINED_AFTER = re.compile(
    r"\s*,?\s*(?:is|was|are|were)?\s*(?:a|an|the)\s+(?:\w+\s+)?(?:term|word|phrase|expression|"
    r"nickname|euphemism|slogan|reference)\b",
    re.IGNORECASE,
)
_DETERMINER_WORDS = set("a an the this these those its their his her our your my whose".split())
_AUXILIARIES = set(
    """is are was were be been being am will would can could should must may might shall do does
    did have has had stop go make let get take give keep leave""".split()
)
_IRREGULAR_PARTICIPLES = {"taken", "given", "broken", "spoken", "chosen", "written", "seen", "done"}
# After a sentence-final quote, text that is its attribution: `“Is it?” Zhang asked.`
# Narration is no attribution: "“…” Yukos had argued that ..." starts a sentence of its own.
# So is a new clause: "“… 65.” But Age Concern said ..." is Age Concern's own sentence.
# And a subject's verb that goes on to say more is a sentence of its own: "“… with this.”
# Police Commissioner Grant Stevens said the six-day period would be followed by ..." (the
# clause after the verb ends within six words when it only says to whom, where or when).
_REPORTING_VERBS = (
    r"(?:said|says|told|added|asked|wrote|explained|insisted|argued|"
    r"replied|warned|stressed|noted|continued)\b(?!\s+that\b)"
)
# ... and so does a verb with an object ("“…” Gentiloni noted the importance of the work"),
# but not "said the day before" (when), nor "told the committee" (to whom).
_NOT_WHEN = (
    r"(?!(?:day|night|morning|afternoon|evening|week|weekend|month|year|next|following|"
    r"previous|same|other|last)\b)"
)
_ATTRIBUTION_AHEAD = re.compile(
    r"\s+(?!(?:But|And|However|Meanwhile|Yet|Still|Also|Separately|Earlier|Later|As|When|While"
    r"|After|Before|If|Although|Because|Since)\b)"
    rf"(?:{_REPORTING_VERBS}"
    r"|(?:(?!(?:had|has|have|was|were|is|would|will)\b)[\w’'\-]+\s+){1,5}?"
    rf"{_REPORTING_VERBS}(?:(?<=told)|(?<=asked)|(?<=warned)|(?!\s+(?:a|an|the)\s+{_NOT_WHEN}))"
    r"(?=(?:[ \t]+[\w’'\-]+){0,6}?\s*(?:[.,;:!?]|$)"
    # or a longer phrase after a preposition: "Alito asked in one of his series of queries."
    r"|[ \t]+(?:in|at|on|during|after|before|while|from|with|to)\b"
    r"(?:[ \t]+[\w’'\-]+){0,9}?\s*(?:[.,;:!?]|$)))"
)
# A photo credit on a line of its own ("Dave Bull"): a name, and no one in the story.
_CREDIT_LINE = re.compile(r"(?:Photo:\s*)?[A-Z][\w’'.\-]*(?:[ \t]+[A-Z][\w’'.\-]*){1,3}")
# A subheading that is one phrase in single marks ("‘We will win’"), quotes.py's headlines.
_SINGLE_QUOTED_LINE = re.compile(r"[‘'][^‘’'\n.!?,;:]+[’']")
_OPENING_MARKS = frozenset('“"‘')
_CLOSING_MARKS = frozenset('”"’')
_MARKUP = re.compile(r"</?[A-Za-z][^<>]{0,300}>")  # bounded: never scans far for a ">"
_DOUBLE_MARK = re.compile(r"[“”\"]")
_SINGLE_MARK = re.compile(r"[‘’]")
# A capitalised word, a word in capitals, or initials before another capitalised word
# ("J. Hugh Liedtke", "E.H. Clark", "John D. Dingell").
_CAP_WORD = (
    rf"(?:(?:[{_UPPER}][’'])?[{_UPPER}][{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?"  # O'Neill, McLaughlin
    rf"(?:[\-’'][{_UPPER}{_LOWER}]+)*"
    rf"|[{_UPPER}]{{2,}}(?![{_LOWER}])"
    rf"|[{_UPPER}]\.(?:[{_UPPER}]\.)*(?=[ \t]+[{_UPPER}])"
    # "D Y Chandrachud", "M Abdul Qayyum": single-letter initials without stops (not A, I)
    rf"|(?![AI][ \t])[{_UPPER}](?=[ \t]+(?:[{_UPPER}][ \t]+)?[{_UPPER}][{_LOWER}]))"
)
_INITIALS = re.compile(rf"[{_UPPER}]\.(?:[{_UPPER}]\.)*|[{_UPPER}]")
_NOT_INITIALS = {"U.S.", "U.N.", "U.K.", "E.U.", "U.S.A.", "N.Y.", "D.C."}
# Letters after a British or Commonwealth name ("Peter Ainsworth MP", "Jane Doe QC"): an office
# or honour, never part of the name.
POST_NOMINALS = {"MP", "MPs", "MEP", "MSP", "MLA", "MPP", "MHA", "QC", "KC", "SC", "OBE", "CBE",
                 "MBE", "KBE", "DBE"}  # fmt: skip
# Generational suffixes end a name but are never the name a later mention uses.
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
# "Although Citicorp said ...": a clause opener is no part of a name.
SUBORDINATORS = {"although", "though", "whereas", "because", "since", "unless", "until",
                 "whether", "once", "so", "thus", "meanwhile", "moreover", "besides"}  # fmt: skip
# Lower-case particles inside names: Ursula von der Leyen, Charles de Gaulle.
_NAME_PARTICLES = {
    "von", "van", "der", "den", "de", "da", "di", "del", "della", "du", "dos", "das", "ter", "bin",
    "al", "ibn", "le",
}  # fmt: skip
_PARTICLE = "(?:" + "|".join(sorted(_NAME_PARTICLES)) + r")[ \t]+"
_CAP_RUN = re.compile(rf"(?<![\w’'\-]){_CAP_WORD}(?:[ \t]+(?:{_PARTICLE})*{_CAP_WORD})*")
_CAP_WORD_RE = re.compile(_CAP_WORD)
# `Wang Yi, Chinese Foreign Minister,` / `Li Wei, a spokesman for the Ministry of Commerce,`
_APPOSITIVE = re.compile(
    r",\s+(?:(?:the|a|an)\s+)?((?:[\w’'.\-]+[ \t]+){0,7}?[\w’'\-]+(?:\.[\w’'\-]+)*)\s*(?=[,.;)]|$)"
)

# `Jo Ng, the Danish envoy who leads the talks`: the role ends at the relative pronoun.
_APPOSITIVE_RELATIVE = re.compile(
    r",\s+(?:(?:the|a|an)\s+)?((?:[\w’'\-]+[ \t]+){0,6}?[\w’'\-]+)[ \t]+(?:who|whose|which)\b"
)

# Past tenses that show a colon follows a clause, not a label (attribution.py).
_IRREGULAR_PASTS = set(
    """laid made gave wrote put set took spoke began went came saw got left kept held brought
    thought felt found stood sat ran won lost met paid sent built led read heard knew meant cut
    hit let became broke chose drew drove fell fought flew forgot grew hung rose shook shot
    sang sought struck swore taught threw understood woke wore""".split()
)

# Titles that tell a woman ("Mrs Ellis"), numbers that make a group ("Two Senate Republicans"),
# and words that bring in someone unnamed ("one analyst", "a Wright aide").
_FEMALE_TITLES = {"mrs", "ms", "miss", "lady", "dame"}
_NUMBER_WORDS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozens",
                 "hundreds", "thousands", "both"}  # fmt: skip
_INDEFINITES = {"a", "an", "one", "another", "some", "two", "three", "several", "other"}
