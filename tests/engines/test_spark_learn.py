"""`learn --from-spun` on Spark (real local[2] jobs): the local runner's pairs, counts, confidences
and statistics, byte for byte in the written lexicon; unreadable rows skipped, never a failed job."""

import json

import pytest

from unspin.learn import LearnConfig, SpunLearner, learn_from_spun

from tests.learn import world


@pytest.fixture(scope="module")
def kit():
    return world.toolkit(world.corpus(seed=1, docs=300))


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _spun_files(tmp_path, files):
    """60 spun + 20 clean documents over `files` JSONL files, with an unreadable row and a
    non-JSON line; returns (paths, the readable texts in reading order)."""
    texts = [world.spin(t) for t in world.corpus(seed=2, docs=60)] + world.corpus(seed=9, docs=20)
    rows = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
    rows.insert(5, {"id": "bad", "text": None})  # an input error record: skipped, as locally
    per = -(-len(rows) // files)
    paths = [_jsonl(tmp_path / f"part-{k}.jsonl", rows[k * per : (k + 1) * per]) for k in range(files)]
    with paths[-1].open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    return paths, texts


def _state(result):
    counts, gains = result.state.counts, result.state.gains
    return (list(counts.ngrams.items()), counts.docs, counts.tokens, list(gains.samples.items()), list(gains.seen.items()),
            list(gains.extra.items()), dict(gains.docs_with), dict(gains.docs_with_both))


@pytest.mark.parametrize("files", [1, 5])
def test_spark_learns_what_the_local_runner_learns(spark_session, tmp_path, kit, files):
    from unspin.engines.spark_learn import learn_on_spark

    paths, texts = _spun_files(tmp_path, files)
    learner = SpunLearner(kit, LearnConfig())
    local = learn_from_spun(lambda: texts, learner, jobs=1)
    run = learn_on_spark(spark_session, [str(p) for p in paths], learner, lambda: kit)
    assert run.unreadable == 2 and run.result.documents == len(texts) == 80
    assert run.result.pairs == local.pairs  # every field: counts, shares, evidence, confidence, features
    assert _state(run.result) == _state(local)  # the statistics, in the local runner's key order
    truth = {(out, orig) for orig, out in world.RULES.items()}
    assert {(p.observed, p.original) for p in run.result.pairs if p.confidence >= 0.5} == truth


def test_spark_screens_out_the_documents_the_local_runner_screens_out(spark_session, tmp_path, kit):
    import dataclasses

    from unspin.engines.spark_learn import learn_on_spark

    paths, texts = _spun_files(tmp_path, 3)
    screened = dataclasses.replace(kit, keep=frozenset(texts[:60]).__contains__)  # the 20 clean ones out
    learner = SpunLearner(screened, LearnConfig())
    local = learn_from_spun(lambda: texts, learner, jobs=1)
    run = learn_on_spark(spark_session, [str(p) for p in paths], learner, lambda: screened)
    assert (run.result.documents, run.result.screened_out) == (local.documents, local.screened_out) == (60, 20)
    assert run.result.pairs == local.pairs and _state(run.result) == _state(local)


def test_spark_learning_merges_a_saved_state_as_locally(spark_session, tmp_path, kit):
    from unspin.engines.spark_learn import learn_on_spark

    paths, texts = _spun_files(tmp_path, 2)
    learner = SpunLearner(kit, LearnConfig())
    earlier = [world.spin(t) for t in world.corpus(seed=7, docs=15)]
    local = learn_from_spun(lambda: texts, learner, state=learn_from_spun(lambda: earlier, learner).state)
    run = learn_on_spark(spark_session, [str(p) for p in paths], learner, lambda: kit,
                         state=learn_from_spun(lambda: earlier, learner).state)
    assert run.result.pairs == local.pairs and _state(run.result) == _state(local)


def test_cli_learn_with_engine_spark_writes_the_local_lexicon(spark_session, tmp_path, kit, monkeypatch, capsys):
    from unspin.cli import main

    monkeypatch.setattr("unspin.learn.default_toolkit", lambda min_spin_probability=0.0: kit)
    monkeypatch.setattr(LearnConfig, "calibrated", classmethod(lambda cls: cls()))
    paths, _ = _spun_files(tmp_path, 3)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in paths:
        p.rename(corpus / p.name)
    common = ["learn", "--from-spun", str(corpus), "-q", "--min-confidence", "0.3", "--format", "json"]
    assert main([*common, "-o", str(tmp_path / "local.tsv"), "--jobs", "2"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert main([*common, "-o", str(tmp_path / "spark.tsv"), "--engine", "spark", "--master", "local[2]"]) == 0
    spark = json.loads(capsys.readouterr().out)
    assert (tmp_path / "spark.tsv").read_bytes() == (tmp_path / "local.tsv").read_bytes()
    assert spark["unreadable"] == local["unreadable"] == 2 and spark["spun_documents"] == local["spun_documents"] == 80
    assert spark["deciphered_pairs"] == local["deciphered_pairs"] >= len(world.RULES)


def test_cli_learn_engine_spark_needs_a_spun_corpus(tmp_path, capsys):
    from unspin.cli import main

    traced = tmp_path / "traced.tsv"
    traced.write_text("stated\tsaid\t3\n")
    assert main(["learn", str(traced), "-o", str(tmp_path / "x.tsv"), "--engine", "spark"]) == 2
    assert "--from-spun" in capsys.readouterr().err
