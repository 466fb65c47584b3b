"""The trace step's lazy restorer: loaded on the first copy that needs it, by the loader it is given."""

import pickle

from fakes import FakeRestorer

from unspin.trace.step import LazyRestorer


def _loader(calls):
    def load(lm):
        calls.append(lm)
        return FakeRestorer({"corporate": "company"})

    return load


def test_the_engine_loads_once_on_first_use_with_the_given_loader():
    calls = []
    lazy = LazyRestorer("ngram", load=_loader(calls))
    assert calls == []
    assert lazy.restore("The corporate said.").restored == "The company said."
    lazy.restore("The corporate fell.")
    assert calls == ["ngram"]


def test_without_a_loader_it_loads_the_bare_engine(monkeypatch):
    calls = []
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", _loader(calls))
    LazyRestorer("smollm2").restore("The corporate said.")
    assert calls == ["smollm2"]


def test_it_travels_to_workers_without_its_engine():
    lazy = LazyRestorer("ngram", load=restore_loader)
    lazy.restore("The corporate said.")
    clone = pickle.loads(pickle.dumps(lazy))
    assert clone._engine is None and clone.load is restore_loader and clone.lm == "ngram"


def restore_loader(lm):  # module level, so a pickle can name it
    return FakeRestorer({"corporate": "company"})
