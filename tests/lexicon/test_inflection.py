"""lemminflect without its spaCy hook: the lexicon's inflection needs neither spaCy nor torch."""

import subprocess
import sys

import pytest


# (what a fresh interpreter runs, what it must print, whether it needs spaCy installed)
FRESH_PROCESSES = [
    pytest.param(["import sys", "from unspin.lexicon.index import _lemmas, _tags_of",
                  "print(_lemmas('sales'), _tags_of('sales'), [m for m in ('spacy', 'thinc', 'torch') if m in sys.modules])"],
                 "('sale',) (('sale', 'NNS'),) []", False, id="inflecting-loads-neither-spacy-nor-torch"),
    pytest.param(["import spacy", "from unspin.lexicon.inflection import all_lemmas", "all_lemmas('sales')",
                  "print(spacy.tokens.Token.has_extension('lemma'), spacy.tokens.Token.has_extension('inflect'))"],
                 "True True", True, id="a-program-that-loaded-spacy-keeps-lemminflects-hook"),
    pytest.param(["import sys", "from unspin.lexicon.inflection import all_inflections", "all_inflections('sale')",
                  "import spacy",
                  "print(spacy.blank('en')('two sales').text, any(type(f).__name__ == '_WithoutSpacy' for f in sys.meta_path))"],
                 "two sales False", True, id="spacy-imports-normally-after-lemminflect"),
]


@pytest.mark.parametrize(("lines", "printed", "needs_spacy"), FRESH_PROCESSES)
def test_in_a_fresh_process(lines, printed, needs_spacy):
    if needs_spacy:
        pytest.importorskip("spacy")
    run = subprocess.run([sys.executable, "-c", "\n".join(lines)], capture_output=True, text=True, check=True, timeout=120)
    assert run.stdout.strip() == printed


def test_the_wrappers_give_lemminflects_answers():
    import lemminflect

    from unspin.lexicon.inflection import all_inflections, all_lemmas, inflection

    assert all_lemmas("took") == lemminflect.getAllLemmas("took")
    assert all_lemmas("saw", upos="NOUN") == lemminflect.getAllLemmas("saw", upos="NOUN")
    assert all_inflections("sale", upos="NOUN") == lemminflect.getAllInflections("sale", upos="NOUN")
    assert inflection("take", "VBD") == ("took",)
