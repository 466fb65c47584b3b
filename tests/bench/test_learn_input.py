"""The learn-input benchmark's scoring: swaps restored exactly, edits right, clean rows' false edits."""

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from unspin.bench.learn_input import restore_commands, score_output, write_crawl


@dataclass
class Swap:
    start: int
    end: int
    original: str


@dataclass
class Spun:
    text: str
    swaps: tuple


def test_spun_rows_are_scored_against_their_swaps_and_clean_rows_count_false_edits(tmp_path):
    texts = ["The company said sales fell.", "Prices rose in May and June."]
    spun = [Spun("The corporate stated sales fell.", (Swap(4, 13, "company"), Swap(14, 20, "said"))), None]
    crawl = tmp_path / "crawl.jsonl"
    write_crawl(crawl, texts, spun)
    assert [json.loads(line)["text"] for line in crawl.read_text().splitlines()] == [spun[0].text, texts[1]]
    out = tmp_path / "out.jsonl"
    rows = [{"doc_id": "0", "edits": [{"start": 4, "end": 13, "original": "Company"}, {"start": 21, "end": 26, "original": "x"}]},
            {"doc_id": "1", "edits": [{"start": 0, "end": 6, "original": "Costs"}]}]
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    scores = score_output(out, texts, spun)
    assert (scores["swaps"], scores["edits"], scores["restored_exactly"]) == (2, 2, 1)
    assert scores["swap_recall"] == 0.5 and scores["edit_precision"] == 0.5
    assert scores["clean_words"] == 6 and scores["clean_false_edits_per_1k_words"] == round(1000 / 6, 3)


def test_both_runs_take_the_lm_and_no_plain_leaves_out_the_plain_run():
    args = argparse.Namespace(jobs=1, lm="smollm2", no_plain=False)
    runs = restore_commands(Path("crawl.jsonl"), Path("tmp"), args)
    assert [label for label, _ in runs] == ["plain", "learn_from_input"]
    for label, command in runs:
        assert command[command.index("--lm") + 1] == "smollm2"
        assert command[command.index("-o") + 1] == str(Path("tmp") / f"{label}.jsonl")
    assert "--learn-from-input" in runs[1][1] and "--learn-from-input" not in runs[0][1]
    args.no_plain = True
    assert [label for label, _ in restore_commands(Path("crawl.jsonl"), Path("tmp"), args)] == ["learn_from_input"]


def test_compare_confirm_runs_the_learned_restore_again_without_confirmed_pairs():
    args = argparse.Namespace(jobs=1, lm="ngram", no_plain=True, compare_confirm=True)
    runs = restore_commands(Path("crawl.jsonl"), Path("tmp"), args)
    assert [label for label, _ in runs] == ["learn_from_input", "learn_from_input_no_confirm"]
    assert "--no-confirm" in runs[1][1] and "--no-confirm" not in runs[0][1]
    assert runs[0][1][runs[0][1].index("-o") + 1] != runs[1][1][runs[1][1].index("-o") + 1]
