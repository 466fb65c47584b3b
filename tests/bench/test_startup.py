import json

import pytest

from unspin.cli import main


def test_an_unknown_command_or_no_runs_is_a_usage_error(capsys):
    assert main(["bench", "startup", "--commands", "scan,trace"]) == 2
    assert "unknown command ['trace']" in capsys.readouterr().err
    assert main(["bench", "startup", "--runs", "0"]) == 2


@pytest.mark.integration
def test_a_fresh_scan_process_is_timed_and_loads_no_heavy_module(tmp_path, capsys):
    text = tmp_path / "doc.txt"
    text.write_text("The corporate's chief government officer said gross sales fell 4 p.c. in the third quarter.\n",
                    encoding="utf-8")
    assert main(["bench", "startup", "--commands", "scan", "--runs", "1", "--text", str(text), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    row = report["commands"]["scan"]
    assert report["words"] == 15 and list(report["commands"]) == ["scan"]
    assert row["argv"] == ["unspin", "scan", "FILE"] and len(row["wall_s"]) == 1 and row["wall_s"][0] > 0
    assert row["peak_rss_mb"] > 50
    # lemminflect used to pull in spaCy, thinc and torch (3 s of a 5 s scan)
    assert row["heavy_modules"] == []


def test_a_command_that_fails_on_the_document_is_reported_not_raised(tmp_path, capsys, monkeypatch):
    from unspin.bench import startup

    monkeypatch.setitem(startup.COMMANDS, "scan", ["scan", "--no-such-option"])
    text = tmp_path / "doc.txt"
    text.write_bytes(b"\xff\xfe not utf-8 at all")
    assert main(["bench", "startup", "--commands", "scan", "--runs", "1", "--text", str(text)]) == 1
    err = capsys.readouterr().err
    assert "unspin bench startup:" in err and "exited 2" in err and "--no-such-option" in err
