import hashlib
import json
from pathlib import Path

from unspin.bench.pps import pps_split

GOLDEN = json.loads((Path(__file__).parents[1] / "data" / "bench" / "pps_split.json").read_text(encoding="utf-8"))


def digest(rows):
    return hashlib.sha1(json.dumps(rows[:50]).encode()).hexdigest()


def test_pps_split_is_stable_and_disjoint(pps_csv):
    learn, test = pps_split(pps_csv)
    assert pps_split(pps_csv) == (learn, test)
    assert (len(learn), len(test)) == (GOLDEN["learn"], GOLDEN["test"])
    assert digest(test) == GOLDEN["sha1_first_50_test_rows"]
    assert digest(learn) == GOLDEN["sha1_first_50_learn_rows"]
    assert not {r[1][0] for r in learn} & {r[1][0] for r in test}
