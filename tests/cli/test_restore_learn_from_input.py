"""`unspin restore --jsonl --learn-from-input`: the input's own spinner deciphered first, then every
row restored with that dictionary (synthetic world's corpus; the engine replaced by a fake)."""

import json
from collections import Counter

import pytest
from fakes import FakeRestorer

from unspin.cli import main

from tests.learn import world

TRUE = {(out, orig) for orig, out in world.RULES.items()}


class ConfirmingRestorer(FakeRestorer):
    """A fake that restores every true pair (sure of each), keeps the confirmed pairs it is handed
    and counts the texts it restores."""

    confirmed = None
    given = []
    restored = Counter()

    def __init__(self):
        super().__init__({out: orig for orig, out in world.RULES.items()})

    def restore(self, text, threshold=None):
        ConfirmingRestorer.restored[text] += 1
        return super().restore(text, threshold)

    def restore_pending(self, text):
        from unspin.restorer.site_model import PendingRestoration

        result = self.restore(text)
        return PendingRestoration(text, result.words, {}, 0.95, 0.8, tuple((e, 0.97) for e in result.edits))

    def with_confirmed(self, confirmed):
        other = ConfirmingRestorer()
        other.confirmed = confirmed
        ConfirmingRestorer.given.append(confirmed)
        return other


@pytest.fixture
def engines(monkeypatch):
    world.use_as_default_toolkit(monkeypatch)
    monkeypatch.setattr("unspin.learn.from_spun.default_min_confidence", lambda: 0.5)
    monkeypatch.setattr(ConfirmingRestorer, "given", [])
    monkeypatch.setattr(ConfirmingRestorer, "restored", Counter())
    asked = []

    def load(lm="ngram", **kw):
        asked.append(kw.get("learned"))
        return ConfirmingRestorer()

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
    assert engines == [str(lexicon)] * 2  # the first rows' restorer and every row's were given that dictionary
    assert len(out.read_text().splitlines()) == 120


def test_pairs_the_first_rows_restore_often_go_to_every_rows_restorer(engines, tmp_path):
    from unspin.restorer.confirmed import CONFIRM_DOCS, ConfirmedPairs, confirmed_in

    crawl, out = _crawl(tmp_path / "crawl.jsonl"), tmp_path / "restored.jsonl"
    assert main(["restore", "--jsonl", str(crawl), "-o", str(out), "--learn-from-input", "-q"]) == 0
    saved = ConfirmedPairs.load(tmp_path / "restored.jsonl.confirmed.tsv")
    rows = [json.loads(line)["text"] for line in crawl.read_text().splitlines()]
    assert saved == confirmed_in(FakeRestorer(ConfirmingRestorer().swaps).restore(t) for t in rows[:CONFIRM_DOCS]) and saved.counts
    assert ConfirmingRestorer.given == [saved]
    assert len(set(rows)) == len(rows) and ConfirmingRestorer.restored == Counter(rows)  # the first rows too, once each
    restored = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["restored"] for r in restored] == [FakeRestorer(ConfirmingRestorer().swaps).restore(t).restored for t in rows]


def test_no_confirm_leaves_the_cut_alone(engines, tmp_path):
    crawl, out = _crawl(tmp_path / "crawl.jsonl"), tmp_path / "restored.jsonl"
    assert main(["restore", "--jsonl", str(crawl), "-o", str(out), "--learn-from-input", "--no-confirm", "-q"]) == 0
    assert not (tmp_path / "restored.jsonl.confirmed.tsv").exists() and ConfirmingRestorer.given == []


def test_a_resumed_run_keeps_the_dictionary_and_confirmed_pairs_its_first_rows_had(engines, tmp_path):
    crawl, out = _crawl(tmp_path / "crawl.jsonl"), tmp_path / "restored.jsonl"
    lexicon = tmp_path / "restored.jsonl.learned.tsv"
    lexicon.write_text("# unspin learned lexicon v2\nobserved\toriginal\tcount\tconfidence\tseen\n")
    before = lexicon.read_text()
    confirmed = tmp_path / "restored.jsonl.confirmed.tsv"
    confirmed.write_text("# header\nnever\tseen\t7\n")
    assert main(["restore", "--jsonl", str(crawl), "-o", str(out), "--learn-from-input", "--resume", "-q"]) == 0
    assert lexicon.read_text() == before and engines == [str(lexicon)]
    assert [c.counts for c in ConfirmingRestorer.given] == [{("never", "seen"): 7}]


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
