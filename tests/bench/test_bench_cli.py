import json

import pytest

from unspin.cli import main


def test_list_families_names_the_holdout_first(capsys):
    assert main(["bench", "restore", "--list-families", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["name"] == "holdout" and rows[0]["holdout"] is True
    assert [r["name"] for r in rows][-1] == "random" and len(rows) >= 6
    assert main(["bench", "scan", "--list-families"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("holdout")


def test_an_unknown_family_is_a_usage_error():
    with pytest.raises(SystemExit, match="unknown spinner family nope"):
        main(["bench", "restore", "--family", "holdout,nope"])


@pytest.mark.integration
def test_bench_spin_writes_a_copy_and_an_answer_key_that_restores_it(tmp_path, capsys):
    from unspin.text import apply_replacements

    source = tmp_path / "article.txt"
    source.write_text("The White House said in the morning that it will act on the new policy.\n", encoding="utf-8")
    assert main(["bench", "spin", "--family", "mythes-first", str(source)]) == 0
    written = json.loads(capsys.readouterr().out)
    spun = (tmp_path / "article.mythes-first-dense.spun.txt").read_text(encoding="utf-8")
    key = json.loads((tmp_path / "article.mythes-first-dense.spun.txt.key.json").read_text(encoding="utf-8"))
    assert written["swaps"] == len(key["swaps"]) > 3 and key["family"] == "mythes-first"
    assert apply_replacements(spun, [(s["start"], s["end"], s["original"]) for s in key["swaps"]]) == source.read_text()
    assert set(key["spin_stats"]) >= {"replaced", "multiword", "function", "capitalised", "determinism", "survivors"}
    assert main(["bench", "spin", "--family", "mythes-first", str(source), "-o", str(source)]) == 1
    assert source.read_text().startswith("The White House said")
