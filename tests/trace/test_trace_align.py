import json
from pathlib import Path

import pytest

from unspin.trace import SegmentKind, align

CASES = json.loads((Path(__file__).parent / "data" / "align_cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_swaps_match_golden(case):
    alignment = align(case["copy"], case["source"])
    assert [[s.observed, s.original] for s in alignment.swaps] == case["swaps"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_offsets_point_into_both_texts(case):
    alignment = align(case["copy"], case["source"])
    for seg in alignment.segments:
        assert case["copy"][seg.copy.start : seg.copy.end] == seg.observed
        assert case["source"][seg.source.start : seg.source.end] == seg.original
        if seg.kind is SegmentKind.SAME:
            assert seg.observed.lower() == seg.original.lower()


def test_segments_cover_the_copy_in_order():
    alignment = align("The corporate said gross sales fell 5 p.c. in 2016.", "The company said sales fell 5 percent in 2016.")
    starts = [s.copy.start for s in alignment.segments]
    assert starts == sorted(starts)
    assert {(s.observed, s.original) for s in alignment.swaps} == {("corporate", "company"), ("p.c.", "percent")}
    assert [s.observed for s in alignment.segments if s.kind is SegmentKind.INSERTED] == ["gross"]
    assert alignment.untouched and alignment.copied_fraction == 7 / 8  # every word but "gross"


def test_to_dict_is_json():
    d = align("The corporate fell.", "The company fell.").to_dict(texts=True)
    json.dumps(d)
    assert d["swaps"][0] == {
        "kind": "swap", "copy_start": 4, "copy_end": 13, "source_start": 4, "source_end": 11,
        "observed": "corporate", "original": "company",
    }
