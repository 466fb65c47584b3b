"""The screener on a fake bigram LM and a tiny lexicon: site evidence, findings, document features."""

import math

import pytest
from fakes import FakeLM, bigrams_of

from unspin.lexicon.build import collect_pairs, write_artifact
from unspin.lexicon.index import ReverseIndex
from unspin.model.bigrams import WebBigrams
from unspin.engine.features import RAW_FEATURES, SITE_FEATURES, SiteAnalyser, bin_edges, expand_features, site_matrix
from unspin.scanner.screen import Screener, SiteModel, document_features
from unspin.types import Source

SENTENCES = ["the company said sales fell .", "profits rose during the quarter ."]
SPUN = "The corporate said sales fell."
CLEAN = "The company said sales fell."
GAIN = SITE_FEATURES.index("gain")


def _bigrams():
    return bigrams_of(SENTENCES)


def gain_only_model(finding_threshold: float = 0.5) -> SiteModel:
    """logit = gain - 2: a site is a likely swap when its best original wins by more than 2 nats."""
    n = len(SITE_FEATURES)
    coef = tuple(1.0 if i == GAIN else 0.0 for i in range(n))
    return SiteModel(tuple(() for _ in range(n)), coef, -2.0, (0.0,) * n, (1.0,) * n, 0.05, finding_threshold)


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory):
    readers = {Source.MOBY: lambda: [("company", ["corporate", "firm"]), ("say", ["state"]), ("fall", ["drop"])]}
    path = tmp_path_factory.mktemp("lex") / "lexicon.tsv.gz"
    write_artifact(collect_pairs(readers), path)
    return ReverseIndex.load(path)


@pytest.fixture
def screener(lexicon):
    return Screener(SiteAnalyser(lexicon, FakeLM(_bigrams()), None), gain_only_model())


def test_sites_carry_spans_and_one_value_per_feature(screener):
    sites, words = screener.sites(SPUN)
    assert words == 5
    by_word = {s.observed: s for s in sites}
    assert "corporate" in by_word
    site = by_word["corporate"]
    start, end = site.sentence[site.start].start, site.sentence[site.end - 1].end
    assert SPUN[start:end] == "corporate"
    assert len(site.features) == len(RAW_FEATURES) and site_matrix([site.features]).shape == (1, len(SITE_FEATURES))
    assert site.ranked[0][2].original == "company"


def test_a_swap_gains_more_than_the_same_word_in_clean_text(screener):
    spun = {s.observed: s.features[GAIN] for s in screener.sites(SPUN)[0]}
    clean = {s.observed: s.features[GAIN] for s in screener.sites(CLEAN)[0]}
    assert spun["corporate"] > 2.0
    assert all(gain < spun["corporate"] for gain in clean.values())


def test_screen_reports_the_swap_with_offsets_and_alternatives(screener):
    screening = screener.screen(SPUN)
    assert [(f.observed, f.suggestion) for f in screening.findings] == [("corporate", "company")]
    finding = screening.findings[0]
    assert SPUN[finding.span.start : finding.span.end] == "corporate"
    assert 0.5 <= finding.confidence <= 1.0
    assert finding.alternatives[-1].text == "corporate"  # keeping the observed word is always an alternative
    assert finding.evidence["sources"] == ["moby"] and finding.evidence["lm_gain"] > 0
    assert screener.screen(CLEAN).findings == ()


def test_spun_text_has_stronger_document_evidence(screener):
    spun, clean = screener.screen(SPUN).features, screener.screen(CLEAN).features
    assert set(spun) == {"mix_02", "mix_05", "mix_10", "mix_20", "sites_per_100", "top_llr"}
    assert spun["mix_05"] > clean["mix_05"] and spun["top_llr"] > clean["top_llr"]


def test_the_strongest_phrases_are_averaged_once_each():
    features = document_features(["a", "b", "b", "c", "d", "e", "f"], [9.0, 1.0, 7.0, 5.0, 3.0, 1.0, -4.0], 100, 1.0)
    assert features["top_llr"] == pytest.approx(((9 - 1) + (7 - 1) + (5 - 1) + (3 - 1) + (1 - 1)) / 5)
    assert document_features([], [], 100, 0.0)["top_llr"] == 0.0


def test_a_higher_finding_threshold_reports_less(lexicon):
    strict = Screener(SiteAnalyser(lexicon, FakeLM(_bigrams()), None), gain_only_model(finding_threshold=0.999999))
    assert strict.screen(SPUN).findings == ()


def test_a_phrase_repeated_through_a_document_counts_once():
    once = document_features(["iceberg lettuce"], [5.0], 100, 0.0)
    many = document_features(["iceberg lettuce"] * 6, [5.0] * 6, 100, 0.0)
    assert many["mix_05"] == pytest.approx(once["mix_05"])
    assert many["sites_per_100"] == 6 * once["sites_per_100"]
    expected = math.log(1 - 0.05 + 0.05 * math.exp(5.0))
    assert once["mix_05"] == pytest.approx(expected)


def test_mixture_evidence_grows_with_the_likelihood_ratio():
    values = [document_features(["a", "b"], [llr, -3.0], 50, 0.0)["mix_10"] for llr in (-3.0, 0.0, 3.0, 6.0)]
    assert values == sorted(values) and values[0] < 0 < values[-1]


def test_site_model_bins_bend_a_feature():
    rows = site_matrix([[float(v)] + [0.0] * (len(RAW_FEATURES) - 1) for v in range(10)])
    edges = bin_edges(rows, 4)
    assert list(edges[GAIN]) == sorted(edges[GAIN]) and len(edges[GAIN]) == 3
    assert len(edges[1]) <= 1  # a constant feature has at most one distinct edge
    expanded = expand_features(rows, edges)
    assert expanded.shape[0] == 10 and expanded.shape[1] == len(SITE_FEATURES) + sum(len(e) for e in edges)


def test_site_model_refuses_a_record_for_other_features():
    model = gain_only_model()
    record = {"features": ["gain"], "edges": [[]], "coef": [1.0], "intercept": 0.0, "mean": [0.0], "scale": [1.0],
              "prior": 0.05, "finding_threshold": 0.5}
    with pytest.raises(ValueError, match="recalibrate"):
        SiteModel.from_dict(record)
    assert model.logits([]) == []


def test_web_pairs_tell_a_collocation_from_a_swap():
    bigrams = WebBigrams({"chief executive": 12.0, "executive officer": 11.0, "government officer": 6.0},
                         {"executive": 14.0, "government": 15.0})
    known, assoc = bigrams.support("chief", "executive", "officer")
    swapped_known, swapped_assoc = bigrams.support("chief", "government", "officer")
    assert (known, swapped_known) == (2, 1)
    assert assoc > swapped_assoc


def test_folded_site_model_matches_the_plain_formula():
    import numpy as np

    rng = np.random.default_rng(0)
    rows = rng.normal(size=(50, len(RAW_FEATURES)))
    edges = bin_edges(site_matrix(rows), 6)
    n = len(SITE_FEATURES) + sum(len(e) for e in edges)
    model = SiteModel(edges, tuple(rng.normal(size=n)), 0.3, tuple(rng.normal(size=n)), tuple(rng.uniform(0.5, 2, size=n)), 0.05, 0.5)
    columns = expand_features(site_matrix(rows), edges)
    plain = ((columns - np.array(model.mean)) / np.array(model.scale)) @ np.array(model.coef) + model.intercept
    assert np.allclose(model.logits(rows), plain)


def test_site_model_record_round_trips():
    model = gain_only_model(finding_threshold=0.8)
    assert SiteModel.from_dict(model.to_dict()) == model


def test_the_last_text_is_analysed_once_and_another_text_afresh(lexicon, monkeypatch):
    analyser = SiteAnalyser(lexicon, FakeLM(_bigrams()), None)
    analysed = []
    real = analyser._sentence_sites
    monkeypatch.setattr(analyser, "_sentence_sites", lambda sent, counts: analysed.append(sent) or real(sent, counts))
    first = analyser.sites(SPUN)
    assert len(analysed) == 1
    again = analyser.sites(SPUN)
    assert len(analysed) == 1 and again == first and again[0] is not first[0]  # a copy: the caller may keep it
    assert [s.observed for s in analyser.sites(CLEAN)[0]] != [s.observed for s in first[0]] and len(analysed) == 2
