"""count_corpus: per-partition counters and one reduce equal a local count."""

import json
from collections import Counter

from unspin.engines.spark_count import TokenNgrams, count_corpus
from unspin.engines.spark_input import read_documents
from unspin.io.readers import iter_documents


def test_counts_equal_a_local_count(spark_session, tmp_path):
    rows = [{"id": f"d{i}", "text": f"the cat sat on the mat {i % 3} times and the cat slept"} for i in range(25)]
    rows.append({"id": "broken", "text": None})  # unreadable: counts nothing
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    local = sum((TokenNgrams(2)(d) for d in iter_documents([str(path)]) if d.error is None), Counter())
    counted = count_corpus(read_documents(spark_session, [str(path)]), TokenNgrams(2))
    assert counted == local and counted[("the", "cat")] == 50
    frequent = count_corpus(read_documents(spark_session, [str(path)]), TokenNgrams(2), min_count=26)
    assert frequent == Counter({k: v for k, v in local.items() if v >= 26}) and frequent
