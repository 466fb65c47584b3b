"""RestoreStep: a row decided from the restoration its first pass kept still gets a known list's matches."""

from __future__ import annotations

from fakes import FakeRestorer

from unspin.pipeline.steps import RestoreStep, with_fingerprints
from unspin.types import Document

LIST = "tortured_phrase,expected_phrase,num_papers\n\"counterfeit consciousness\",artificial intelligence,12\n"
TEXT = "The corporate made a counterfeit consciousness lab."


class _Pending:
    """What `restore --learn-from-input` keeps of a first row: decided later, never restored again."""

    def __init__(self, text: str) -> None:
        self.text = text

    def decided(self, confirmed) -> object:
        return FakeRestorer({"corporate": "company"}).restore(self.text)


def _step(tmp_path, fingerprints: bool) -> RestoreStep:
    path = tmp_path / "pps.csv"
    path.write_text(LIST, encoding="utf-8")
    step = RestoreStep(lm="ngram", first_rows={TEXT: _Pending(TEXT)}, fingerprints=str(path) if fingerprints else None)
    step.engine = FakeRestorer({"corporate": "company"})
    step.restorer = with_fingerprints(step.engine, step.fingerprints)
    return step


def test_a_first_row_gets_the_lists_matches_too(tmp_path):
    record = _step(tmp_path, fingerprints=True).run(Document(doc_id="1", text=TEXT))
    assert record["restored"] == "The company made an artificial intelligence lab."


def test_without_a_list_a_first_row_passes_through(tmp_path):
    record = _step(tmp_path, fingerprints=False).run(Document(doc_id="1", text=TEXT))
    assert record["restored"] == "The company made a counterfeit consciousness lab."
