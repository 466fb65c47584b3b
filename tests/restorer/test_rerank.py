"""The neural rerank: which sites get a second look, and how its scores change the decision."""

from unspin.engine.channel import Channel
from unspin.lexicon.index import Candidate
from unspin.restorer.decode import DecodeConfig, Site
from unspin.restorer.rerank import rerank_sites

SURFACE = ["The", "corporate", "said", "sales", "fell", "."]


class ScriptedNeural:
    """Scores a window by the phrases it contains; records what it was asked."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores, self.asked = scores, []

    def score_texts(self, texts):
        self.asked.extend(texts)
        return [sum(v for k, v in self.scores.items() if k in t) for t in texts]


def _site(gains, choice=-1) -> Site:
    cands = [Candidate("company", 0.5, ("moby",)), Candidate("firm", 0.5, ("moby",))]
    return Site(1, 2, "corporate", cands, 0.0, choice=choice, gains=tuple(gains))


def _config(**kw) -> DecodeConfig:
    return DecodeConfig(**{"threshold": 2.0, "rerank_margin": 3.0, "neural_weight": 1.0, "length_cost": 0.0, **kw})


def test_a_near_threshold_site_is_restored_when_the_neural_lm_prefers_the_original():
    site = _site([1.5, 0.5])  # below the threshold of 2, within the margin of 3
    neural = ScriptedNeural({"company": 10.0})
    rerank_sites(neural, [SURFACE], [[site]], Channel(rho=0.5, q_exponent=0.0), _config())
    assert site.choice == 0 and site.gains[0] > site.gains[1]
    assert any("The company said" in t for t in neural.asked) and any("corporate" in t for t in neural.asked)


def test_the_neural_lm_can_overturn_an_ngram_edit():
    site = _site([4.0, 0.0], choice=0)
    rerank_sites(ScriptedNeural({"corporate": 10.0}), [SURFACE], [[site]], Channel(rho=0.5, q_exponent=0.0), _config())
    assert site.choice == -1


def test_sites_far_below_the_threshold_are_not_rescored():
    site = _site([-5.0, -6.0])
    neural = ScriptedNeural({"company": 100.0})
    rerank_sites(neural, [SURFACE], [[site]], Channel(rho=0.5, q_exponent=0.0), _config())
    assert neural.asked == [] and site.choice == -1 and site.gains == (-5.0, -6.0)


def test_the_mix_weight_blends_neural_and_ngram_gains():
    site = _site([1.0, 0.0])
    channel = Channel(rho=0.5, q_exponent=0.0)
    rerank_sites(ScriptedNeural({"company": 4.0}), [SURFACE], [[site]], channel, _config(neural_weight=0.5))
    channel_term = channel.edit_logodds(0.5, "corporate", "company")
    ngram_lm_gain = 1.0 - channel_term
    assert abs(site.gains[0] - (0.5 * 4.0 + 0.5 * ngram_lm_gain + channel_term)) < 1e-9
