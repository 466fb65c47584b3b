"""The four public dictionary families: tuning, calibration and training may use these.

Each one pairs a thesaurus with a choice rule and has phrase tables of its own:
  mythes-first      LibreOffice thesaurus, the first synonym listed (its first sense)
  moby-random       Moby Thesaurus II, a synonym drawn at random (seeded per headword)
  wordnet-frequent  WordNet synsets, the synonym most frequent in English (wordfreq)
  twohop            LibreOffice + WordNet, a synonym of the most frequent synonym (two hops)
"""

from __future__ import annotations

from .base import DETERMINERS, Recipe, Tables
from .lexicons import first_listed, most_frequent, seeded_random, source, two_hops

_PERSONAL = ("his", "her", "their", "the")
COVERAGE = {"light": 0.07, "dense": 0.4}
TABLE_COVERAGE = {"light": 0.25, "dense": 1.0}

MYTHES_FIRST = Tables(
    keyed={
        "in": ("within", DETERMINERS),
        "at": ("on", ("the", "a")),
        "with": ("along with", _PERSONAL),
        "on": ("upon", ("the", "a", "his", "her", "their")),
        "to": ("towards", ("the",)),
        "from": ("coming from", ("the",)),
        "about": ("regarding", ("the", "a", "his", "her", "their", "its")),
        "after": ("following", ("the", "a", "his", "her")),
        "by": ("through", ("the", "a")),
        "of": ("belonging to", ("his", "her", "their")),
        "is": ("is actually", ("a", "an", "the")),
        "was": ("was actually", ("a", "an", "the")),
        "for": ("for your", ("a",)),
        "that": ("that the", ("a",)),
    },
    phrases={
        "they": ("these people",), "you": ("an individual",), "during": ("throughout",), "until": ("till",),
        "into": ("right into",), "since": ("considering that",), "most": ("the majority of",),
        "said": ("stated",), "says": ("states",), "saying": ("stating",),
        "a new": ("a brand-new",), "the new": ("the brand-new",),
        "a lot of": ("plenty of",), "lots of": ("plenty of",), "as well as": ("and also",),
        "in order to": ("to be able to",), "such as": ("for example",), "according to": ("as stated by",),
        "more than": ("above",), "because of": ("as a result of",), "at least": ("no less than",),
        "also": ("likewise",), "however": ("nevertheless",), "many": ("numerous",), "very": ("extremely",),
        "some": ("several",), "other": ("various other",), "but": ("yet",), "because": ("since",),
        "will": ("will certainly", "can", "shall"), "would": ("would certainly", "might"),
        "may": ("might", "could"), "can": ("may", "can easily"), "should": ("ought to",),
        "could": ("might",), "must": ("need to",),
        "has been": ("has actually been",), "have been": ("have actually been",),
        "in addition": ("additionally",), "as a result": ("consequently",), "in fact": ("as a matter of fact",),
        "at the same time": ("all at once",), "for example": ("for instance",), "in the past": ("previously",),
        "a number of": ("a variety of",), "take part in": ("participate in",), "make sure": ("guarantee",),
        "find out": ("discover",), "so far": ("up until now",), "each other": ("one another",),
        "even though": ("despite the fact that",),
    },
)

MOBY_RANDOM = Tables(
    keyed={
        "in": ("inside", ("the", "his", "her", "their", "its")),
        "at": ("in", ("the",)),
        "with": ("together with", ("the", "his", "her", "their", "a")),
        "on": ("on top of", ("the",)),
        "to": ("toward", ("the",)),
        "for": ("meant for", ("the", "a")),
        "of": ("out of", ("his", "her", "their", "its")),
        "is": ("is really", ("a", "the")),
        "are": ("are really", ("a", "the")),
        "from": ("via", ("the", "a", "his", "her")),
        "by": ("through", ("the", "his", "her")),
        "about": ("concerning", ("the", "a", "his", "her", "their")),
    },
    phrases={
        "they": ("they all",), "during": ("over the course of",), "until": ("up until",), "into": ("in to",),
        "these": ("these kinds of",), "when": ("whenever",),
        "said": ("mentioned",), "says": ("mentions",), "saying": ("mentioning",),
        "a new": ("a fresh",),
        "will": ("are going to", "can", "would"), "may": ("could", "might", "can"), "can": ("could", "may"),
        "would": ("might",), "should": ("must",), "could": ("can",), "might": ("may",),
        "also": ("additionally",), "however": ("nonetheless",), "because": ("considering that",),
        "many": ("a lot of",), "very": ("really",), "a lot of": ("lots of",), "more than": ("over",),
        "according to": ("in accordance with",), "in order to": ("so as to",), "as well as": ("along with",),
        "such as": ("like",), "because of": ("due to",), "at least": ("a minimum of",),
        "for example": ("as an example",), "in addition to": ("besides",), "due to": ("because of",),
        "although": ("even though",), "while": ("whilst",), "before": ("prior to",), "almost": ("nearly",),
        "often": ("frequently",), "recently": ("lately",), "each other": ("one another",),
        "a few": ("a handful of",), "have to": ("need to",), "has to": ("needs to",),
        "is going to": ("will",), "so that": ("in order that",),
    },
)

WORDNET_FREQUENT = Tables(
    keyed={
        "in": ("inside of", ("the", "his", "her", "a")),
        "at": ("located at", ("the",)),
        "with": ("using", ("the", "his", "her", "their", "a")),
        "for": ("meant for", ("the", "a")),
        "from": ("out of", ("the", "a", "his", "her")),
        "on": ("about", ("the", "a")),
        "of": ("regarding", ("his", "her")),
        "is": ("is just", ("a", "an", "the")),
        "has": ("has got", ("a", "the")),
        "to": ("into", ("the", "a")),
        "by": ("via", ("the", "a")),
        "after": ("later on", ("the", "a", "his", "her")),
    },
    phrases={
        "they": ("those",), "you": ("one",), "during": ("in the course of",), "until": ("up till",),
        "since": ("ever since",), "most": ("almost all",),
        "said": ("claimed",), "says": ("claims",), "saying": ("claiming",),
        "will": ("would", "shall"), "may": ("might", "may well"), "can": ("are able to", "could"),
        "should": ("need to",), "must": ("have to",), "could": ("can",), "would": ("will",),
        "also": ("in addition",), "however": ("though",), "many": ("several",), "very": ("quite",),
        "more than": ("upwards of",), "according to": ("based on",), "in order to": ("to",),
        "as well as": ("plus",), "such as": ("including",), "because of": ("owing to",),
        "at least": ("at the very least",), "because": ("as",), "although": ("though",),
        "before": ("ahead of",), "a new": ("a novel",), "the first": ("the very first",),
        "a lot": ("a great deal",), "last year": ("a year ago",), "last week": ("a week ago",),
        "in fact": ("actually",), "so far": ("thus far",), "as well": ("also",),
        "each other": ("one another",), "about": ("roughly",),
    },
)

TWOHOP = Tables(
    keyed={
        "in": ("throughout", ("the", "his", "her", "their")),
        "at": ("in", ("the", "a")),
        "with": ("alongside", ("his", "her", "their", "the")),
        "on": ("over", ("the", "a")),
        "for": ("with regard to", ("the",)),
        "by": ("by means of", ("the", "a")),
        "of": ("of all", ("the",)),
        "is": ("is in fact", ("a", "an", "the")),
        "to": ("up to", ("the", "a", "his", "her")),
        "from": ("away from", ("the", "a", "his", "her")),
        "about": ("as regards", ("the", "a", "his", "her", "their")),
        "after": ("afterward", ("the", "a", "his", "her")),
    },
    phrases={
        "they": ("these folks",), "you": ("you guys",), "during": ("amid",), "until": ("right up until",),
        "into": ("inwards",), "when": ("once",), "these": ("such",),
        "said": ("specified",), "says": ("specifies",), "saying": ("specifying",),
        "will": ("will definitely", "might", "could", "would"), "may": ("might", "can"), "can": ("may",),
        "would": ("could",), "should": ("had better",), "must": ("ought to",),
        "also": ("furthermore",), "however": ("yet",), "many": ("countless",), "very": ("incredibly",),
        "more than": ("in excess of",), "according to": ("depending on",), "in order to": ("in an effort to",),
        "as well as": ("together with",), "such as": ("like for instance",), "because of": ("on account of",),
        "at least": ("at minimum",), "because": ("given that",), "although": ("albeit",),
        "a new": ("a whole new",), "the new": ("the brand new",), "in the past": ("in days gone by",),
        "a number of": ("a range of",), "make sure": ("ensure",), "so far": ("to date",),
        "last year": ("in the previous year",), "now": ("right now",),
    },
)


def _twohop_chooser():
    return two_hops(source("mythes+wordnet"))


RECIPES = (
    Recipe("mythes-first", "LibreOffice thesaurus, first synonym listed; its own phrase table",
           "mythes", lambda: first_listed, MYTHES_FIRST, "mythes-first", COVERAGE, TABLE_COVERAGE),
    Recipe("moby-random", "Moby thesaurus, a synonym drawn at random per headword (seeded); its own phrase table",
           "moby", lambda: seeded_random("moby-random"), MOBY_RANDOM, "moby-random", COVERAGE, TABLE_COVERAGE),
    Recipe("wordnet-frequent", "WordNet, the synonym most frequent in English (wordfreq); its own phrase table",
           "wordnet", lambda: most_frequent, WORDNET_FREQUENT, "wordnet-frequent", COVERAGE, TABLE_COVERAGE),
    Recipe("twohop", "LibreOffice + WordNet, a synonym of the most frequent synonym (two hops); its own phrase table",
           "mythes+wordnet", _twohop_chooser, TWOHOP, "twohop", COVERAGE, TABLE_COVERAGE),
)
