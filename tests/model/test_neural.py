"""The real SmolLM2 backend (slow: loads a 135M model)."""

import pytest

pytestmark = pytest.mark.neural


def _smollm2(precision: str):
    pytest.importorskip("transformers")
    from unspin.model.neural import load_neural

    with pytest.MonkeyPatch.context() as env:
        env.setenv("UNSPIN_CPU_PRECISION", precision)
        try:
            return load_neural("smollm2", device="cpu")
        except Exception as exc:  # the package is optional
            pytest.skip(f"SmolLM2 unavailable: {exc}")


@pytest.fixture(scope="module")
def model():
    """float32, so that the exactness checks below test the arithmetic, not bfloat16 rounding."""
    return _smollm2("float32")


def test_fluent_text_scores_higher_than_spun(model):
    fluent, spun = model.score_texts(
        ["The company said that sales fell 4 percent during the quarter.", "The corporate stated that gross sales fell 4 p.c. in the course of the quarter."]
    )
    assert fluent > spun


def test_batching_does_not_change_scores(model):
    texts = ["A short one.", "A somewhat longer sentence that needs padding in a batch."]
    together = model.score_texts(texts)
    alone = [model.score_texts([t])[0] for t in texts]
    assert together == pytest.approx(alone, abs=1e-3)


def test_an_unknown_model_name_lists_the_valid_ones():
    pytest.importorskip("transformers")
    from unspin.errors import ModelError
    from unspin.model.neural import load_neural

    with pytest.raises(ModelError) as err:
        load_neural("no-such-org/no-such-model")
    message = str(err.value)
    assert "ngram, smollm2" in message and "local folder" in message
    assert "huggingface.co" not in message and "internet" not in message.lower()


def test_a_suffix_scores_as_the_whole_text_less_its_prefix(model):
    texts = ["The company said that sales fell.", "The company stated that sales fell.", "Sales fell.",
             "Analysts had expected a smaller decline.", "Analysts had anticipated a smaller decline."]
    starts = [11, 11, 0, 12, 12]  # the first two and the last two share a prefix; one has none
    suffixes = model.score_suffixes(texts, starts)
    whole = model.score_texts(texts)
    prefixes = [model.score_texts([t[:s]])[0] if s else 0.0 for t, s in zip(texts, starts)]
    assert suffixes == pytest.approx([w - p for w, p in zip(whole, prefixes)], abs=1e-3)
    assert suffixes[0] > suffixes[1]  # "said" reads better than "stated" after the same context


def test_bfloat16_weights_keep_scores_within_a_fraction_of_a_nat(model):
    import torch

    fast = _smollm2("bfloat16")
    assert next(fast.model.parameters()).dtype == torch.bfloat16
    texts = ["The company said that sales fell.", "The company stated that sales fell.", "Analysts had expected a smaller decline."]
    starts = [11, 11, 12]
    assert fast.score_suffixes(texts, starts) == pytest.approx(model.score_suffixes(texts, starts), abs=0.5)
    assert next(model.model.parameters()).dtype == torch.float32
