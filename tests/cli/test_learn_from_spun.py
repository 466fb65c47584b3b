"""`unspin learn --from-spun` and `unspin lexicon show` end to end, on the synthetic world's corpus."""

import json

import pytest

from unspin.cli import main

from tests.learn import world

TRUE = {(out, orig) for orig, out in world.RULES.items()}


@pytest.fixture(autouse=True)
def synthetic_tools(monkeypatch):
    world.use_as_default_toolkit(monkeypatch)


def _jsonl(path, texts):
    path.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)))
    return path


def _pairs(path):
    rows = [line.split("\t") for line in path.read_text().splitlines()[1:]]
    return {(r[0], r[1]) for r in rows}


def test_learns_the_spinner_writes_v2_and_shows_by_confidence(tmp_path, capsys):
    corpus = _jsonl(tmp_path / "crawl.jsonl", [world.spin(t) for t in world.corpus(seed=2, docs=120)])
    out = tmp_path / "spinner.tsv"
    assert main(["learn", "--from-spun", str(corpus), "-o", str(out), "-q", "--min-confidence", "0.5", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["spun_documents"] == 120 and summary["deciphered_pairs"] == len(TRUE)
    assert _pairs(out) == TRUE and out.read_text().startswith("# unspin learned lexicon v2")
    assert main(["lexicon", "show", str(out), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    confidences = [r["confidence"] for r in rows]
    assert confidences == sorted(confidences, reverse=True) and all(0.5 <= c <= 1 for c in confidences)


def test_append_keeps_the_statistics_and_traced_pairs(tmp_path, capsys):
    spun = [world.spin(t) for t in world.corpus(seed=3, docs=100)]
    first, second = _jsonl(tmp_path / "a.jsonl", spun[:10]), _jsonl(tmp_path / "b.jsonl", spun[10:])
    traced = tmp_path / "traced.tsv"
    traced.write_text("profound learning\tdeep learning\t3\n")
    out = tmp_path / "spinner.tsv"
    assert main(["learn", str(traced), "--from-spun", str(first), "-o", str(out), "-q", "--min-confidence", "0.5"]) == 0
    assert ("profound learning", "deep learning") in _pairs(out)
    assert main(["learn", "--from-spun", str(second), "-o", str(out), "--append", "-q", "--min-confidence", "0.5", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["spun_documents"] == 100  # the first run's documents are still counted
    assert _pairs(out) == TRUE | {("profound learning", "deep learning")}


def test_refuses_to_overwrite_an_input_and_standard_input(tmp_path, capsys):
    corpus = _jsonl(tmp_path / "c.jsonl", world.corpus(seed=4, docs=3))
    assert main(["learn", "--from-spun", str(corpus), "-o", str(corpus), "-q"]) == 2  # U112: a usage error
    assert "U112" in capsys.readouterr().err
    assert main(["learn", "--from-spun", "-", "-o", str(tmp_path / "x.tsv"), "-q"]) == 1
    assert main(["learn", "--from-spun", str(tmp_path / "missing"), "-o", str(tmp_path / "x.tsv"), "-q"]) == 1
    assert "missing" in capsys.readouterr().err


def test_the_spin_screen_is_passed_to_the_toolkit_and_reported(tmp_path, capsys, monkeypatch):
    import dataclasses

    kit = world.toolkit(world.corpus(seed=1, docs=300))
    asked = []

    def screened_toolkit(min_spin_probability=0.0):
        asked.append(min_spin_probability)
        return dataclasses.replace(kit, keep=lambda text: "stated" in text)

    monkeypatch.setattr("unspin.learn.default_toolkit", screened_toolkit)
    spun = [world.spin(t) for t in world.corpus(seed=2, docs=60)]
    clean = [t for t in world.corpus(seed=5, docs=60) if "stated" not in t]
    corpus = _jsonl(tmp_path / "crawl.jsonl", [s for s in spun if "stated" in s] + clean)
    out = tmp_path / "spinner.tsv"
    assert main(["learn", "--from-spun", str(corpus), "-o", str(out), "-q", "--min-spin-probability", "0.7", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert asked == [0.7] and summary["min_spin_probability"] == 0.7
    assert summary["screened_out"] == len(clean) and summary["spun_documents"] == sum("stated" in s for s in spun)


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "often"])
def test_a_spin_probability_outside_0_to_1_is_a_usage_error(tmp_path, capsys, bad):
    corpus = _jsonl(tmp_path / "c.jsonl", world.corpus(seed=4, docs=3))
    with pytest.raises(SystemExit) as exit_:
        main(["learn", "--from-spun", str(corpus), "-o", str(tmp_path / "x.tsv"), "--min-spin-probability", bad])
    assert exit_.value.code == 2 and "--min-spin-probability" in capsys.readouterr().err
