import itertools
import re

import pytest

from unspin.trace import SourceDoc, TraceIndex, Vocabulary

# A stand-in spinner for unit tests (the benchmark uses unspin.bench.spinner).
SWAPS = {
    "company": "corporate", "said": "stated", "big": "large", "market": "marketplace", "people": "folks",
    "government": "administration", "new": "novel", "week": "period", "year": "twelvemonth", "report": "account",
    "president": "chairman", "money": "cash", "help": "aid", "country": "nation", "plan": "scheme",
    "work": "labor", "city": "metropolis", "state": "province", "public": "populace", "official": "functionary",
}


def stand_in_spin(text: str, every: int = 2) -> str:
    """Swap every `every`-th occurrence of a known word (case kept)."""
    counter = itertools.count()

    def swap(m: re.Match) -> str:
        word = m.group()
        new = SWAPS.get(word.lower())
        if new is None or next(counter) % every:
            return word
        return new.capitalize() if word[0].isupper() else new

    return re.sub(r"[A-Za-z]+", swap, text)


VOCABULARY = Vocabulary(list(SWAPS) + list(SWAPS.values()) + ["the", "a", "of", "and", "to", "in"])


@pytest.fixture(scope="session")
def news_docs():
    from unspin.corpora import news_articles

    return [SourceDoc(d.doc_id, d.text, d.source) for d in itertools.islice(news_articles(), 120)]


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, news_docs):
    path = tmp_path_factory.mktemp("trace") / "refs.db"
    with TraceIndex.create(path, VOCABULARY, name="test") as index:
        index.add(news_docs[:100])
    return path
