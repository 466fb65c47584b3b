"""lemminflect without its spaCy hook: the lexicon's inflection needs neither spaCy nor torch."""

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120).stdout.strip()


def test_inflecting_a_word_loads_neither_spacy_nor_torch():
    code = (
        "import sys\n"
        "from unspin.lexicon.index import _lemmas, _tags_of\n"
        "print(_lemmas('sales'), _tags_of('sales'), [m for m in ('spacy', 'thinc', 'torch') if m in sys.modules])"
    )
    assert _run(code) == "('sale',) (('sale', 'NNS'),) []"


def test_a_program_that_loaded_spacy_keeps_lemminflects_hook():
    pytest.importorskip("spacy")
    code = (
        "import spacy\n"
        "from unspin.lexicon.inflection import all_lemmas\n"
        "all_lemmas('sales')\n"
        "print(spacy.tokens.Token.has_extension('lemma'), spacy.tokens.Token.has_extension('inflect'))"
    )
    assert _run(code) == "True True"


def test_spacy_imports_normally_after_lemminflect():
    pytest.importorskip("spacy")
    code = (
        "import sys\n"
        "from unspin.lexicon.inflection import all_inflections\n"
        "all_inflections('sale')\n"
        "import spacy\n"
        "print(spacy.blank('en')('two sales').text, any(type(f).__name__ == '_WithoutSpacy' for f in sys.meta_path))"
    )
    assert _run(code) == "two sales False"


def test_the_wrappers_give_lemminflects_answers():
    import lemminflect

    from unspin.lexicon.inflection import all_inflections, all_lemmas, inflection

    assert all_lemmas("took") == lemminflect.getAllLemmas("took")
    assert all_lemmas("saw", upos="NOUN") == lemminflect.getAllLemmas("saw", upos="NOUN")
    assert all_inflections("sale", upos="NOUN") == lemminflect.getAllInflections("sale", upos="NOUN")
    assert inflection("take", "VBD") == ("took",)
