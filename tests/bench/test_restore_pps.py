"""bench restore's PPS scoring: the lexicon aligned from the learn half."""



def test_the_learn_half_lexicon_holds_the_swaps_a_real_spinner_made():
    from unspin.bench.restore import pps_learn_half_lexicon

    lexicon = pps_learn_half_lexicon([("profound learning", ["deep learning"]), ("profound neural organization", ["deep neural network"])])
    assert dict(lexicon.lookup("profound")).get("deep") == 2
    assert "network" in dict(lexicon.lookup("organization"))
