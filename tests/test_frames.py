"""unspin.scan_frame / restore_frame over pandas and Arrow: input columns kept, results nested."""

from __future__ import annotations

import pytest

import unspin

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

SPUN = "The corporate said counterfeit consciousness would lift gross sales."
LIST = "tortured_phrase,expected_phrase,num_papers\n\"counterfeit consciousness\",artificial intelligence,12\n"


@pytest.fixture
def frame():
    return pd.DataFrame({"id": [1, 2, 3], "doi": ["10.1/a", "10.1/b", "10.1/c"], "text": [SPUN, "Calm sea.", None]})


def test_scan_frame_keeps_the_columns_and_nests_the_findings(frame, fake_screener, tmp_path):
    listed = tmp_path / "pps.csv"
    listed.write_text(LIST)
    out = unspin.scan_frame(frame, text="text", fingerprints=listed, screener=fake_screener)
    assert list(out.columns[:3]) == ["id", "doi", "text"] and len(out) == 3
    assert {"spin_probability", "spun", "findings", "error"} <= set(out.columns)
    findings = out.loc[0, "findings"]
    assert [(f["observed"], f["suggestion"]) for f in findings][:2] == [("corporate", "company"),
                                                                       ("counterfeit consciousness", "artificial intelligence")]
    assert SPUN[findings[0]["start"]:findings[0]["end"]] == "corporate"
    assert out.loc[1, "findings"] == [] and out.loc[2, "error"].startswith("U109")


def test_restore_frame_on_an_arrow_table(fake_restorer):
    table = pa.table({"id": [1, 2], "text": [SPUN, "Calm sea."]})
    out = unspin.restore_frame(table, text="text", restorer=fake_restorer)
    assert out.column_names == ["id", "text", "restored", "words", "edits", "error"]
    assert out.column("restored").to_pylist()[0] == "The company said artificial intelligence would lift sales."
    assert str(out.schema.field("edits").type).startswith("list<item: struct<start: int64")
    assert out.column("edits").to_pylist()[0][0]["suggestion"] == "company"


def test_frames_refuse_a_missing_column_and_clashing_names(frame, fake_restorer):
    with pytest.raises(KeyError, match="body"):
        unspin.restore_frame(frame, text="body", restorer=fake_restorer)
    with pytest.raises(ValueError, match="prefix"):
        unspin.restore_frame(frame.assign(restored=1), restorer=fake_restorer)
    assert "unspin_restored" in unspin.restore_frame(frame.assign(restored=1), restorer=fake_restorer, prefix="unspin_").columns
