"""Word-pair counts: pairs stay inside a clause and are counted as log(1 + count)."""

import math

from unspin.model import bigrams
from unspin.model.bigrams import WebBigrams, count_pairs


def test_pairs_are_counted_inside_clauses_only():
    pairs, words = count_pairs(["Random forest; forest fires.", "A random forest (see below)"])
    table = WebBigrams(pairs, words)
    assert table.pair("random", "forest") == math.log1p(2)
    assert table.pair("forest", "forest") == 0.0  # across ";"
    assert table.pair("forest", "see") == 0.0  # across "("
    assert table.pair("forest", "fires") == math.log1p(1)
    assert table.word("forest") == math.log1p(3)


def test_the_technical_table_is_counted_once_then_read_from_the_cache(tmp_path, monkeypatch):
    import unspin.corpora as corpora

    monkeypatch.setattr(bigrams, "cache_dir", lambda: tmp_path)
    docs = [corpora.CorpusDoc(f"technical-x.{i}", f"x.{i}", "image recognition with a random forest", "technical") for i in range(40)]
    monkeypatch.setattr(corpora, "technical_docs", lambda: iter(docs))
    bigrams.load_technical_pairs.cache_clear()
    try:
        first = bigrams.load_technical_pairs()
        train = sum(corpora.split_of(d.doc_id) == "train" for d in docs)
        assert 0 < train < len(docs)  # only the train split is counted
        assert first.pair("image", "recognition") == math.log1p(train)
        monkeypatch.setattr(corpora, "technical_docs", lambda: iter(()))
        bigrams.load_technical_pairs.cache_clear()
        assert bigrams.load_technical_pairs().pair("image", "recognition") == math.log1p(train)  # from the cache
    finally:
        bigrams.load_technical_pairs.cache_clear()
