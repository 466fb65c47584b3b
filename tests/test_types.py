"""One result type for every suggested change: restore's and scan's views of it."""

from unspin.types import Alternative, Edit, Evidence, Finding, FindingKind, Match, Span


def _edit() -> Edit:
    return Edit(Span(4, 13), "corporate", "company", confidence=0.9, alternatives=(Alternative("corporate", 0.1),),
                evidence=Evidence(("moby", "mythes"), 3.2, -1.1))


def test_an_edit_is_a_match_and_keeps_restores_json_names():
    edit = _edit()
    assert isinstance(edit, Match) and edit.original == edit.suggestion == "company"
    d = edit.to_dict()
    assert list(d) == ["observed", "original", "confidence", "alternatives", "evidence", "start", "end"]
    assert d["evidence"]["sources"] == ("moby", "mythes") and (d["start"], d["end"]) == (4, 13)


def test_an_edit_as_a_finding_carries_its_sources_as_the_rule():
    finding = _edit().as_finding()
    assert type(finding) is Finding and finding.kind is FindingKind.MODEL
    assert finding.rule == "moby,mythes" and finding.evidence["sources"] == ["moby", "mythes"]
    d = finding.to_dict()
    assert d["suggestion"] == "company" and d["kind"] == "model" and d["span"] == {"start": 4, "end": 13}
    assert "message" not in d  # empty messages stay out of the JSON
