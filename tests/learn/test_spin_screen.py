"""The learner's document screen on the real scanner (needs `unspin setup` artifacts)."""

from pathlib import Path

import pytest

from unspin.config import lexicon_path, ngram_path

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (lexicon_path().exists() and ngram_path().exists()), reason="artifacts not built: run `unspin setup`"),
]

SPUN = (Path(__file__).parents[2] / "examples" / "spun_article.txt").read_text(encoding="utf-8")
CLEAN = "The company said on Tuesday that sales fell 4 percent during the third quarter, as customers cut spending."


def test_the_screen_keeps_the_spun_example_and_drops_clean_news():
    from unspin.learn.from_spun import MIN_SPIN_PROBABILITY, SpinScreen

    screen = SpinScreen(MIN_SPIN_PROBABILITY)
    assert screen(SPUN) and not screen(CLEAN)


def test_the_default_toolkit_screens_unless_told_not_to():
    from unspin.learn import default_toolkit

    assert default_toolkit().kept([SPUN, CLEAN]) == ([SPUN], 1)
    assert default_toolkit(0).kept([SPUN, CLEAN]) == ([SPUN, CLEAN], 0)
