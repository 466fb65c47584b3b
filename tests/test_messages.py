"""unspin.messages: the sentences every output shows for a finding and for a document's score."""

from unspin.messages import finding_message, found_by, plural, score_reason


def test_finding_messages():
    known = finding_message("counterfeit consciousness", "artificial intelligence", "fingerprint")
    assert known.message == "Known tortured phrase for 'artificial intelligence' (listed by the Problematic Paper Screener)."
    assert known.short == "Known tortured phrase"
    bare = finding_message("irregular woodland", "", "fingerprint")
    assert "Problematic Paper Screener" not in bare.message and "no original wording" in bare.message
    model = finding_message("corporate", "company", "model")
    assert (model.message, model.short) == ("Unusual wording: spinners turn 'company' into this.", "Possibly spun wording")


def test_found_by_tells_the_screener_from_the_restorer():
    assert found_by("model", "screen:moby") == "screener (fast single pass)"
    assert found_by("model", "moby,wordnet") == "restorer (full decoding)"
    assert found_by("fingerprint", '"x"') == "list of known tortured phrases"


def test_score_reason_and_plural():
    assert plural(1, "finding") == "1 finding" and plural(2, "finding") == "2 findings"
    reason = score_reason(1.0, True, 120, [{"kind": "fingerprint"}])
    assert reason.startswith("Scored 100% because the text contains 1 known tortured phrase from a published list")
    assert score_reason(0.01, False, 50, []) == "No known tortured phrase and no likely swap in 50 words."
