"""The engine's shared resources: a screener and a site-model restorer built in one process
analyse a document with one SiteAnalyser (fakes stand in for the lexicon, model and pairs)."""

from fakes import FakeLM

from unspin.engine import resources
from unspin.restorer.site_model import model_restorer_with
from unspin.scanner import screen


def test_the_screener_and_the_restorer_share_one_site_analyser(monkeypatch):
    class Lexicon:
        max_words = 1

        def phrase_prefix(self, phrase):
            return False

    monkeypatch.setattr(resources, "lexicon", Lexicon)
    monkeypatch.setattr(resources, "ngram", lambda: FakeLM({}))
    monkeypatch.setattr(resources, "web_pairs", lambda: None)
    monkeypatch.setattr(screen, "_SCREENERS", {})
    resources.site_analyser.cache_clear()
    try:
        analyser = resources.site_analyser()
        assert screen.load_screener().analyser is analyser
        assert model_restorer_with().builder.analyser is analyser
        assert screen.load_screener(bigrams=False).analyser is not analyser  # another view: without word pairs
    finally:
        resources.site_analyser.cache_clear()
