"""Pairs a batch confirms (`restorer.confirmed`): counted over the sample's restorations, saved
and read back, and a pair confirmed often enough edited from the lower cut."""

import pytest
from fakes import FakeRestorer

from unspin.errors import InputError
from unspin.restorer.confirmed import ConfirmedPairs, confirmed_in


def test_pairs_are_counted_over_the_restorations_given():
    texts = ["The corporate rose.", "The corporate and the corporate fell.", "Sales rose 4 p.c. today."]
    confirmed = confirmed_in(FakeRestorer().restore(t) for t in texts[:2])
    assert confirmed.counts == {("corporate", "company"): 3}


def test_a_pair_is_confirmed_from_its_minimum_count_whatever_its_case():
    confirmed = ConfirmedPairs({("corporate", "company"): 3, ("p.c.", "percent"): 2}, min_count=3)
    assert confirmed.confirms("Corporate", "Company")
    assert not confirmed.confirms("p.c.", "percent") and not confirmed.confirms("stated", "said")


def test_confirmed_pairs_are_saved_and_read_back(tmp_path):
    confirmed = ConfirmedPairs({("corporate", "company"): 3, ("in the course of", "during"): 5})
    confirmed.save(tmp_path / "c.tsv")
    assert ConfirmedPairs.load(tmp_path / "c.tsv") == confirmed


def test_a_malformed_line_names_the_file_and_line(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_text("# header\ncorporate\tcompany\tthree\n")
    with pytest.raises(InputError, match="line 2") as caught:
        ConfirmedPairs.load(path)
    assert caught.value.source == str(path)
