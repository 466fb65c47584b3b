"""`unspin setup` (artifacts.py): each step builds once, skips when its output exists, rebuilds
when forced, and says what is missing; the steps run in dependency order."""

from __future__ import annotations

import pytest

from unspin import artifacts, config
from unspin.errors import ArtifactError


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("UNSPIN_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_lexicon_is_built_validated_and_then_skipped(monkeypatch):
    calls = []
    import unspin.lexicon.build as build
    import unspin.lexicon.index as index

    def write(pairs, path):
        calls.append(("write", list(pairs)))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")

    monkeypatch.setattr(build, "collect_pairs", lambda: iter([("stated", "said")]))
    monkeypatch.setattr(build, "write_artifact", write)
    monkeypatch.setattr(index.ReverseIndex, "load", classmethod(lambda cls, path: calls.append(("load", path))))
    logs = []
    path = artifacts.build_lexicon(log=logs.append)
    assert path == config.lexicon_path() and calls == [("write", [("stated", "said")]), ("load", path)]
    assert logs and "lexicon" in logs[0]
    artifacts.build_lexicon(log=logs.append)
    assert len(calls) == 2 and len(logs) == 1  # skipped: the artifact exists
    artifacts.build_lexicon(force=True, log=logs.append)
    assert len(calls) == 4


def test_lmplz_needs_cmake_and_is_skipped_once_built(monkeypatch, home):
    monkeypatch.setattr(artifacts.shutil, "which", lambda name: None)
    with pytest.raises(ArtifactError, match="^U200 cmake is needed"):
        artifacts.build_lmplz(log=lambda m: None)
    (home / "bin").mkdir(parents=True)
    for name in ("lmplz", "build_binary"):
        (home / "bin" / name).write_text("")
    assert artifacts.build_lmplz(log=lambda m: None) == config.bin_dir()  # no cmake needed now


def test_ngram_trains_on_the_train_split_only(monkeypatch):
    import unspin.corpora as corpora
    import unspin.model.ngram as ngram

    splits, trained = [], []

    class Doc:
        def __init__(self, text):
            self.text = text

    monkeypatch.setattr(corpora, "documents", lambda split: splits.append(split) or iter([Doc("a b c"), Doc("d e")]))
    monkeypatch.setattr(ngram, "train", lambda texts: trained.extend(texts) or config.ngram_path())
    monkeypatch.setattr(artifacts, "build_lmplz", lambda log=print: None)
    assert artifacts.build_ngram(log=lambda m: None) == config.ngram_path()
    assert splits == ["train"] and trained == ["a b c", "d e"]


def test_build_all_runs_the_steps_in_order_and_neural_only_when_asked(monkeypatch):
    order = []
    for name in ("build_lexicon", "build_ngram"):
        monkeypatch.setattr(artifacts, name, lambda force=False, log=print, _n=name: order.append((_n, force)))
    monkeypatch.setattr(artifacts, "build_bigrams", lambda log=print: order.append(("build_bigrams", None)))
    monkeypatch.setattr(artifacts, "build_neural", lambda name="smollm2", log=print: order.append(("build_neural", name)))
    artifacts.build_all(log=lambda m: None)
    assert order == [("build_lexicon", False), ("build_ngram", False), ("build_bigrams", None)]
    order.clear()
    artifacts.build_all(force=True, neural=True, log=lambda m: None)
    assert order == [("build_lexicon", True), ("build_ngram", True), ("build_bigrams", None), ("build_neural", "smollm2")]
