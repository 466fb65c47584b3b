import importlib.util
from pathlib import Path

import pytest

from unspin.bench.spin_stats import stats

SHARED_TOOL = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "spin_stats.py"
CLEAN = "In the morning the White House said it will act. In the evening it said nothing."
SPUN = "Within the morning the White Home stated it can act. In the evening it stated nothing."


def test_figures_of_a_known_pair():
    s = stats(CLEAN, SPUN)
    # spans: In, "House said" (adjacent swaps merge: multiword), will, said
    assert s["spans"] == 4 and s["words"] == 16 and s["multiword"] == 0.25
    assert s["function"] == 0.5  # "In" and "will"
    assert s["capitalised"] == 0.25  # "House"
    # "in" is swapped once and survives once; "said" counts once only (once inside a merged span)
    assert s["determinism"] == 1.0 and s["survivors"] == 1.0


def test_same_figures_as_the_shared_tool():
    if not SHARED_TOOL.exists():
        pytest.skip(f"{SHARED_TOOL} not found")
    spec = importlib.util.spec_from_file_location("shared_spin_stats", SHARED_TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (Path(__file__).parents[1] / "data" / "bench" / "news_paragraph.txt").read_text(encoding="utf-8")
    spun = text.replace("said", "stated").replace("the city", "the metropolis").replace("will", "shall")
    assert stats(text, spun) == module.stats(text, spun) == module.stats(text, spun)
    assert stats(CLEAN, SPUN) == module.stats(CLEAN, SPUN)
