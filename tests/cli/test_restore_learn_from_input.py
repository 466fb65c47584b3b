"""`unspin restore --jsonl --learn-from-input`: the input's own spinner deciphered first, then every
row restored with that dictionary (synthetic world's corpus; the engine replaced by a fake)."""

import json

import pytest
from fakes import FakeRestorer

from unspin.cli import main

from tests.learn import world

TRUE = {(out, orig) for orig, out in world.RULES.items()}


@pytest.fixture
def engines(monkeypatch):
    world.use_as_default_toolkit(monkeypatch)
    monkeypatch.setattr("unspin.learn.from_spun.default_min_confidence", lambda: 0.5)
    asked = []

    def load(lm="ngram", **kw):
        asked.append(kw.get("learned"))
        return FakeRestorer()

    monkeypatch.setattr("unspin.restorer.decode.load_restorer", load)
    return asked


def _crawl(path, docs=120):
    texts = [world.spin(t) for t in world.corpus(seed=2, docs=docs)]
    path.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)))
    return path


def _pairs(path):
    return {tuple(line.split("\t")[:2]) for line in path.read_text().splitlines()[1:]}


def test_the_dictionary_is_learned_from_the_input_and_restores_every_row(engines, tmp_path):
    crawl, out = _crawl(tmp_path / "crawl.jsonl"), tmp_path / "restored.jsonl"
    assert main(["restore", "--jsonl", str(crawl), "-o", str(out), "--learn-from-input", "-q"]) == 0
    lexicon = tmp_path / "restored.jsonl.learned.tsv"
    assert _pairs(lexicon) == TRUE
    assert engines == [str(lexicon)]  # the restorer was given that dictionary
    assert len(out.read_text().splitlines()) == 120


def test_a_resumed_run_keeps_the_dictionary_its_first_rows_had(engines, tmp_path):
    crawl, out = _crawl(tmp_path / "crawl.jsonl"), tmp_path / "restored.jsonl"
    lexicon = tmp_path / "restored.jsonl.learned.tsv"
    lexicon.write_text("# unspin learned lexicon v2\nobserved\toriginal\tcount\tconfidence\tseen\n")
    before = lexicon.read_text()
    assert main(["restore", "--jsonl", str(crawl), "-o", str(out), "--learn-from-input", "--resume", "-q"]) == 0
    assert lexicon.read_text() == before and engines == [str(lexicon)]


@pytest.mark.parametrize("args, message", [
    (["--learn-from-input"], "needs --jsonl"),
    (["--jsonl", "--learn-from-input"], "-o OUT"),
    (["--jsonl", "--learn-from-input", "-o", "OUT", "--learned", "x.tsv"], "leave out --learned"),
])
def test_learn_from_input_usage_errors(engines, tmp_path, capsys, args, message):
    crawl = _crawl(tmp_path / "crawl.jsonl", docs=2)
    args = [a if a != "OUT" else str(tmp_path / "o.jsonl") for a in args]
    assert main(["restore", str(crawl), *args]) == 2
    assert message in capsys.readouterr().err
