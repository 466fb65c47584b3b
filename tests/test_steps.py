"""`steps.restore_batch` / `unspin.restore_many`: a batch deciphers its own spinner first
(synthetic world's corpus; the site-model restorer replaced by a fake that records its lexicon)."""

import pytest
from fakes import FakeRestorer

import unspin

from tests.learn import world

TRUE = {(out, orig) for orig, out in world.RULES.items()}


@pytest.fixture
def given(monkeypatch):
    world.use_as_default_toolkit(monkeypatch)
    lexicons = []

    def with_lexicon(learned=None):
        lexicons.append(learned)
        return FakeRestorer()

    monkeypatch.setattr("unspin.restorer.site_model.model_restorer_with", with_lexicon)
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm="ngram", **kw: lexicons.append("plain") or FakeRestorer())
    return lexicons


def test_a_batch_is_restored_with_the_dictionary_it_gives_away(given):
    texts = [world.spin(t) for t in world.corpus(seed=2, docs=120)]
    results = unspin.restore_many(texts, min_confidence=0.5)
    assert len(results) == 120 and [r.text for r in results] == texts
    (lexicon,) = given
    assert {(o, r) for o, r, _ in lexicon.pairs()} == TRUE


class PriorTaker(FakeRestorer):
    """A fake site model that records the document prior it is given."""

    priors: list = []

    def with_document_prior(self, prior, flag_at, spun_cut=None):
        self.priors.append((prior, flag_at, spun_cut))
        return self


@pytest.mark.parametrize("document_prior", [True, False])
def test_a_learned_batch_asks_scan_first_unless_told_not_to(given, monkeypatch, document_prior):
    class Posterior:
        flag_at = 0.99

    posterior = Posterior()
    monkeypatch.setattr("unspin.restorer.site_model.model_restorer_with", lambda learned=None: PriorTaker())
    monkeypatch.setattr("unspin.steps._scan_posterior", lambda: posterior)
    monkeypatch.setattr(PriorTaker, "priors", [])
    texts = [world.spin(t) for t in world.corpus(seed=2, docs=40)]
    assert len(unspin.restore_many(texts, min_confidence=0.5, document_prior=document_prior)) == 40
    assert PriorTaker.priors == ([(posterior, 0.99, None)] if document_prior else [])


def test_without_learning_each_text_is_restored_alone(given):
    results = unspin.restore_many(["The corporate stated sales fell."], learn=False)
    assert len(results) == 1 and given == ["plain"]


def test_a_thorough_scan_restores_with_restores_own_engine(monkeypatch):
    """`scan --thorough` findings are `restore`'s edits: the same engine, scan's prior composed."""
    from unspin.steps import Scanner

    class Posterior:
        flag_at = 0.99

    posterior = Posterior()
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm="ngram", **kw: PriorTaker())
    monkeypatch.setattr("unspin.steps._scan_posterior", lambda: posterior)
    monkeypatch.setattr("unspin.steps._COMPOSED", {})
    monkeypatch.setattr(PriorTaker, "priors", [])
    restorer = Scanner(lm="ngram", thorough=True, use_default_fingerprints=False).restorer()
    assert isinstance(restorer, PriorTaker) and PriorTaker.priors == [(posterior, 0.99, None)]


def test_a_learned_batch_takes_the_neural_stage_with_lm_smollm2(given, monkeypatch):
    staged = []
    monkeypatch.setattr("unspin.engine.resources.neural", lambda name, device="cpu": f"{name} on {device}")
    monkeypatch.setattr("unspin.model.neural.resolve_device", lambda device=None: "cpu")
    monkeypatch.setattr("unspin.restorer.site_model.with_neural_stage", lambda engine, lm: staged.append(lm) or engine)
    texts = [world.spin(t) for t in world.corpus(seed=2, docs=40)]
    assert len(unspin.restore_many(texts, min_confidence=0.5, lm="smollm2")) == 40
    assert staged == ["smollm2 on cpu"] and len(given) == 1 and given[0] is not None
    assert len(unspin.restore_many(texts, min_confidence=0.5)) == 40 and staged == ["smollm2 on cpu"]  # ngram: no stage


def test_a_batch_names_the_lm_it_cannot_restore_with():
    with pytest.raises(ValueError, match="gemma3"):
        unspin.restore_many(["The corporate stated sales fell."], lm="gemma3")


class ConfirmTaker(FakeRestorer):
    """A fake site model over the world's true pairs, sure (0.97, over the cut 0.95) of the edits
    of half of them in the first `CONFIRM_DOCS` texts it restores, and unsure (0.85) of every
    other edit; it counts its restores."""

    def __init__(self):
        super().__init__({out: orig for orig, out in world.RULES.items()})
        self.sure_of = set(sorted(self.swaps)[::2])
        self.restored = 0

    def restore_pending(self, text):
        from unspin.restorer.confirmed import CONFIRM_DOCS
        from unspin.restorer.site_model import PendingRestoration

        edits = super().restore(text).edits
        sample = self.restored < CONFIRM_DOCS
        self.restored += 1
        return PendingRestoration(text, len(text.split()), {}, 0.95, 0.8,
                                  tuple((e, 0.97 if sample and e.observed.lower() in self.sure_of else 0.85) for e in edits))

    def restore(self, text, threshold=None):
        return self.restore_pending(text).decided()


@pytest.mark.parametrize("confirm", [True, False])
def test_a_learned_batch_confirms_pairs_on_its_first_texts_unless_told_not_to(given, monkeypatch, confirm):
    from unspin.restorer.confirmed import CONFIRM_DOCS, confirmed_in

    taker = ConfirmTaker()
    monkeypatch.setattr("unspin.restorer.site_model.model_restorer_with", lambda learned=None: taker)
    texts = [world.spin(t) for t in world.corpus(seed=2, docs=60)]
    results = unspin.restore_many(texts, min_confidence=0.5, document_prior=False, confirm=confirm)
    assert len(results) == 60 and taker.restored == 60  # each text restored once, the sample too
    sure = {out: orig for out, orig in taker.swaps.items() if out in taker.sure_of}
    confirmed = confirmed_in(FakeRestorer(sure).restore(t) for t in texts[:CONFIRM_DOCS])
    later = [(e.observed.lower(), e.suggestion.lower()) for r in results[CONFIRM_DOCS:] for e in r.edits]
    everywhere = [(e.observed.lower(), e.suggestion.lower()) for t in texts[CONFIRM_DOCS:] for e in FakeRestorer(taker.swaps).restore(t).edits]
    assert any(confirmed.confirms(*pair) for pair in everywhere) and not all(confirmed.confirms(*pair) for pair in everywhere)
    assert later == ([pair for pair in everywhere if confirmed.confirms(*pair)] if confirm else [])
