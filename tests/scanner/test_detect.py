"""Screening one document: findings from the engine and from fingerprints, and the score."""

from __future__ import annotations

import json
import pickle

import pytest

from unspin.scanner.calibration import CALIBRATION_PATH
from unspin.scanner.detect import FEATURES, ScoreModel, doc_features, scan_text
from unspin.steps import Scanner
from unspin.lexicon.fingerprints import FingerprintMatcher
from unspin.types import Document, FindingKind

SPUN = "The corporate's chief government officer said gross sales fell 4 p.c. as the corporate cut jobs."
CLEAN = "The company's chief executive officer said sales fell 4 percent as the company cut jobs."


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_HOME", str(tmp_path / "unspin-home"))
    monkeypatch.delenv("UNSPIN_FINGERPRINTS", raising=False)


@pytest.fixture
def matcher():
    return FingerprintMatcher.from_rows([
        ('"counterfeit consciousness"', "artificial intelligence", "99"),
        ('"haze figuring"', "cloud computing", "3"),
    ])


def test_model_findings_carry_offsets_suggestion_and_evidence(fake_screener):
    report = scan_text(SPUN, screener=fake_screener, fingerprints=False)
    assert [(f.observed, f.suggestion) for f in report.findings] == [
        ("corporate", "company"), ("chief government officer", "chief executive officer"),
        ("gross sales", "sales"), ("p.c.", "percent"), ("corporate", "company")]
    for f in report.findings:
        assert SPUN[f.span.start : f.span.end] == f.observed
        assert f.kind is FindingKind.MODEL and f.confidence == 0.9
        assert f.alternatives and f.evidence["lm_gain"] == 3.0 and f.rule == "screen:fake"
    assert report.words == 16
    assert report.findings_per_1k == pytest.approx(5 * 1000 / 16, abs=1e-3)


def test_spun_scores_above_clean(fake_screener):
    spun = scan_text(SPUN, screener=fake_screener, fingerprints=False)
    clean = scan_text(CLEAN, screener=fake_screener, fingerprints=False)
    assert clean.findings == ()
    assert 0.0 <= clean.spin_probability < spun.spin_probability <= 1.0
    assert spun.spun and not clean.spun


def test_fingerprint_findings_win_overlaps(fake_screener, matcher):
    text = "Counterfeit consciousness helps the corporate."
    report = scan_text(text, screener=fake_screener, fingerprints=matcher)
    kinds = [(f.observed, f.kind) for f in report.findings]
    assert kinds == [("Counterfeit consciousness", FindingKind.FINGERPRINT), ("corporate", FindingKind.MODEL)]


def test_fingerprint_only_scan_needs_no_engine(matcher):
    report = scan_text("Our haze figuring platform is new and shiny today.", fingerprints=matcher, use_model=False)
    assert [f.suggestion for f in report.findings] == ["cloud computing"]
    assert report.spun and report.spin_probability > 0.5
    quiet = scan_text("Our cloud computing platform is new.", fingerprints=matcher, use_model=False)
    assert not quiet.spun and quiet.findings == ()


def test_threshold_overrides_the_calibrated_one(fake_screener):
    report = scan_text(SPUN, screener=fake_screener, fingerprints=False, threshold=1.0)
    assert not report.spun


def test_empty_text(fake_screener):
    report = scan_text("", screener=fake_screener, fingerprints=False)
    assert report.words == 0 and report.findings == () and report.findings_per_1k == 0.0


def test_default_fingerprints_come_from_the_environment(monkeypatch, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text('tortured_phrase,expected_phrase,num_papers\n"""haze figuring""",cloud computing,3\n', encoding="utf-8")
    monkeypatch.setenv("UNSPIN_FINGERPRINTS", str(path))
    report = scan_text("haze figuring", use_model=False)
    assert [f.suggestion for f in report.findings] == ["cloud computing"]
    monkeypatch.delenv("UNSPIN_FINGERPRINTS")
    assert scan_text("haze figuring", use_model=False).findings == ()


def test_thorough_scan_takes_findings_from_the_restorer(fake_screener):
    from fakes import FakeRestorer

    restorer = FakeRestorer({"corporate": "firm"})
    fast = scan_text(SPUN, screener=fake_screener, fingerprints=False)
    thorough = scan_text(SPUN, screener=fake_screener, restorer=restorer, thorough=True, fingerprints=False)
    assert thorough.spin_probability == fast.spin_probability  # the score is the screener's either way
    assert [(f.observed, f.suggestion) for f in thorough.findings] == [("corporate", "firm"), ("corporate", "firm")]
    assert all(f.rule == "fake" for f in thorough.findings)


def test_thorough_scan_hands_its_probability_to_a_restorer_that_asks_scan_first(fake_screener):
    from fakes import FakeRestorer

    class AsksScanFirst(FakeRestorer):
        def restore_given(self, text, spin_probability):
            self.given.append(spin_probability)
            return self.restore(text)

    restorer = AsksScanFirst({"corporate": "firm"})
    restorer.given = []
    report = scan_text(SPUN, screener=fake_screener, restorer=restorer, thorough=True, fingerprints=False)
    assert restorer.given == [pytest.approx(report.spin_probability, abs=1e-6)]  # this report's posterior, not asked again
    assert [f.observed for f in report.findings] == ["corporate", "corporate"]


def test_features_hold_the_screening_and_fingerprint_rates(fake_screener, matcher):
    text = "Counterfeit consciousness helps the corporate."
    screening = fake_screener.screen(text)
    fingerprints = matcher.find(text)
    features = doc_features(screening.words, screening.features, fingerprints)
    assert set(features) == set(FEATURES)
    assert features["mix_05"] == screening.features["mix_05"]
    assert features["fingerprint_per_1k"] == pytest.approx(1000 * len(fingerprints) / screening.words)
    assert doc_features(10, None, [])["mix_05"] == 0.0


def test_score_model_is_a_logistic_over_standardised_features():
    model = ScoreModel(("a", "b"), (2.0, -1.0), 0.5, 0.5, (1.0, 0.0), (2.0, 1.0))
    assert model.logit({"a": 3.0, "b": 1.0}) == pytest.approx(0.5 + 2.0 * 1.0 - 1.0)
    assert ScoreModel.from_dict(model.to_dict()) == model
    assert model.probability({"a": 1e6}) == pytest.approx(1.0)


def test_calibration_file_records_how_it_was_made():
    from unspin.engine.features import SITE_FEATURES
    from unspin.scanner.screen import SiteModel

    record = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    assert "calibrate_scan" in record["method"] and record["data"]["split"] == "dev"
    assert record["data"]["clean"] > 0 and record["data"]["spun"] > 0
    assert tuple(record["site_model"]["features"]) == SITE_FEATURES  # the code still computes what was fitted
    SiteModel.from_dict(record["site_model"])
    metrics = record["metrics"]
    assert metrics["split"] == "dev" and 0.0 <= metrics["fpr_at_threshold"] <= 0.01 and metrics["roc_auc"] > 0.5
    for section in ("model", "fingerprint_only"):
        model = ScoreModel.from_dict(record[section])
        assert set(model.features) <= set(FEATURES)
        assert 0.0 < model.threshold < 1.0


def test_scanner_is_a_picklable_pipeline_step(fake_screener, matcher, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text('"counterfeit consciousness",artificial intelligence,1\n', encoding="utf-8")
    step = Scanner(screener=fake_screener, fingerprints_path=str(path))
    step(Document("d0", "warm up"))  # loads the matcher; it must not travel in the pickle
    clone = pickle.loads(pickle.dumps(step))
    record = clone(Document("d1", "Counterfeit consciousness at the corporate.", source="a.txt"))
    assert record["doc_id"] == "d1" and record["source"] == "a.txt"
    assert [f["kind"] for f in record["findings"]] == ["fingerprint", "model"]
    assert record["findings"][0]["span"] == {"start": 0, "end": 25}
    json.dumps(record)


def test_scanner_without_injected_engine_loads_it_lazily(monkeypatch, fake_screener, fake_restorer):
    calls = []
    monkeypatch.setattr("unspin.scanner.screen.load_screener", lambda: calls.append("screener") or fake_screener)
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm, **kw: calls.append(lm) or fake_restorer)
    step = Scanner(lm="ngram", use_default_fingerprints=False)
    assert pickle.loads(pickle.dumps(step))._screener is None
    step(Document("a", SPUN))
    step(Document("b", CLEAN))
    assert calls == ["screener"]  # the restorer loads only for --thorough
    thorough = Scanner(lm="smollm2", thorough=True, use_default_fingerprints=False)
    thorough(Document("c", SPUN))
    assert calls == ["screener", "screener", "smollm2"]  # a new step loads its own (load_screener caches)


def test_calibration_fit_and_threshold_on_synthetic_sites():
    import random

    from unspin.bench.calibrate_scan import calibrate, roc_auc, threshold_for_fpr, tpr_at_fpr
    from unspin.engine.features import RAW_FEATURES
    from unspin.scanner.screen import SiteModel

    rng = random.Random(0)
    tables = []
    for i in range(200):
        rate = 0.0 if i % 2 == 0 else 0.1
        features, labels, observed = [], [], []
        for j in range(60):
            swap = rate > 0 and j % 10 == 0
            gain = rng.gauss(6.0 if swap else 0.0, 1.5)
            features.append([gain] + [rng.gauss(0, 1) for _ in RAW_FEATURES[1:]])
            labels.append(1 if swap else (0 if rate == 0 else None))
            observed.append(f"w{i}-{j}")
        tables.append({"rate": rate, "actual_rate": rate, "words": 100, "observed": observed, "features": features, "labels": labels})
    record = calibrate(tables, split="dev", seed=0, seconds=0.0)
    site_model = SiteModel.from_dict(record["site_model"])
    assert site_model.coef and 0.0 < site_model.prior < 0.2 and 0.5 <= site_model.finding_threshold < 1.0
    assert site_model.logits([[8.0] + [0.0] * (len(RAW_FEATURES) - 1)])[0] > site_model.logits([[0.0] * len(RAW_FEATURES)])[0]
    model = ScoreModel.from_dict(record["model"])
    from unspin.bench.calibrate_scan import doc_features_of

    scores = [model.probability(doc_features_of(t, site_model)) for t in tables]
    clean = [s for s, t in zip(scores, tables) if t["rate"] == 0]
    spun = [s for s, t in zip(scores, tables) if t["rate"] > 0]
    assert sum(s > model.threshold for s in clean) <= 0.01 * len(clean)
    assert record["metrics"]["roc_auc"] > 0.99 and record["metrics"]["fpr_at_threshold"] <= 0.01
    assert roc_auc(spun, clean) > 0.99 and tpr_at_fpr(spun, clean, 0.01) > 0.95
    assert roc_auc([1.0], [1.0]) == 0.5
    assert threshold_for_fpr([0.1 * i for i in range(100)], 0.01) == pytest.approx(9.8)


def test_calibration_threshold_holds_for_each_clean_source():
    """Technical clean documents whose sites look odder than news must not be accused more often:
    the threshold keeps the target false-positive rate on each source apart."""
    import random

    from unspin.bench.calibrate_scan import TARGET_FPR, calibrate, doc_features_of
    from unspin.engine.features import RAW_FEATURES
    from unspin.scanner.screen import SiteModel

    rng = random.Random(1)
    tables = []
    for source, clean_gain, n in (("news", 0.0, 800), ("technical", 1.5, 200)):
        for i in range(n):
            rate = 0.0 if i % 2 == 0 else 0.1
            features, labels = [], []
            for j in range(60):
                swap = rate > 0 and j % 10 == 0
                features.append([rng.gauss(6.0 if swap else clean_gain, 1.5)] + [rng.gauss(0, 1) for _ in RAW_FEATURES[1:]])
                labels.append(1 if swap else (0 if rate == 0 else None))
            tables.append({"rate": rate, "actual_rate": rate, "words": 100, "observed": [f"{source}{i}-{j}" for j in range(60)],
                           "features": features, "labels": labels, **({"source": source} if source != "news" else {})})
    record = calibrate(tables, split="dev", seed=0, seconds=0.0)
    assert record["data"]["clean_by_source"] == {"news": 400, "technical": 100}
    site_model = SiteModel.from_dict(record["site_model"])
    model = ScoreModel.from_dict(record["model"])
    technical_clean = [model.probability(doc_features_of(t, site_model)) for t in tables if t.get("source") and t["rate"] == 0]
    assert sum(s > model.threshold for s in technical_clean) <= TARGET_FPR * len(technical_clean)
    assert record["metrics"]["fpr_at_threshold_by_source"]["technical"] <= TARGET_FPR
    news_only = calibrate([t for t in tables if "source" not in t], split="dev", seed=0, seconds=0.0)
    assert news_only["site_model"]["coef"] == record["site_model"]["coef"]  # technical prose fits nothing
    assert news_only["model"]["coef"] == record["model"]["coef"] and news_only["model"]["threshold"] < model.threshold
