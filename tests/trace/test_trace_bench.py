"""Pieces of `unspin bench trace` that run without the 50,000-paragraph corpus."""

from unspin.bench.trace import summarize, swap_fields, verbatim_filter
from unspin.trace import SourceDoc


def test_verbatim_filter_flags_shared_runs():
    indexed = [SourceDoc("a", "The quick brown fox jumps over the lazy dog near the old river bank today.")]
    no_source = verbatim_filter(indexed)
    assert not no_source("Yesterday the quick brown fox jumps over the lazy dog near the old river bank again.")
    assert no_source("A completely different sentence about budgets, taxes and the coming election season in May.")


def test_summarize_rates_and_latency():
    rows = [
        {"kind": "paragraph", "spun": True, "matched": True, "top1": True, "top5": True, "score": 0.9, "ms": 3.0, "rate": 0.1},
        {"kind": "document", "spun": True, "matched": True, "top1": False, "top5": True, "score": 0.7, "ms": 9.0, "rate": 0.2},
        {"kind": "paragraph", "spun": False, "matched": False, "top1": False, "top5": False, "score": 0.1, "ms": 2.0, "rate": 0.0},
        {"kind": "document", "spun": False, "matched": True, "top1": False, "top5": False, "score": 0.6, "ms": 5.0, "rate": 0.0},
    ]
    out = summarize(rows)
    assert out["spun"] == {"n": 2, "top1": 0.5, "top5": 1.0}
    assert out["clean"]["false_match_rate"] == 0.5 and out["clean"]["false_match_rate_paragraph"] == 0.0
    assert out["latency_ms"]["p50"] > 0


def test_swap_fields_accepts_tuples_and_objects():
    class Swap:
        start, end, observed, original = 1, 2, "b", "a"

    assert swap_fields((1, 2, "b", "a")) == swap_fields(Swap()) == (1, 2, "b", "a")
