"""`unspin bench faults`: kill the batch commands at random points, resume them, count the damage.

For each of `scan`, `restore --jsonl`, `index build` and `learn`: one clean run gives the expected
output; then N times (default 20) the command is started, SIGKILLed (its whole process group) at a
random point: after a random number of records for the streaming commands, at a random time for
the ones that write their output at the end, and then resumed (`--resume`) or run again. Counted:

- records lost and records duplicated against the clean run (target 0), records that differ;
- lines of the output that do not parse; an index whose `PRAGMA integrity_check` is not "ok", or
  a partial index or lexicon visible under the output name after a kill.

Then the output on a full filesystem (a small tmpfs) and on a read-only one: the command must exit
1 with a U113 message (no traceback), and the records already written, resumed elsewhere, must
give the clean output: no partial record counted as done. Mounting needs root; without it the
filesystem checks are skipped with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

FINGERPRINTS = (
    "tortured_phrase,expected_phrase,num_papers\n"
    '"""counterfeit consciousness""",artificial intelligence,99\n'
    '"""profound learning""",deep learning,10\n'
)
SENTENCES = (
    "The corporate stated that gross sales fell 4 p.c. during the last quarter.",
    "Counterfeit consciousness and profound learning were discussed at length.",
    "The weather was calm and the harbour was quiet all day long.",
    "Officials said the new market would open next week in the city centre.",
    "People gathered to hear the report on the big government plan.",
)


@dataclass
class Tally:
    command: str
    kills: int = 0
    killed_with_output: int = 0  # kills after which some output existed
    lost: int = 0
    duplicated: int = 0
    differing: int = 0
    unparseable: int = 0
    integrity_errors: int = 0
    partial_visible: int = 0  # a half-written index or lexicon under the output name
    resume_failures: int = 0  # resume runs that exited with an unexpected code
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


# --- running and killing ---------------------------------------------------------------------


def _unspin(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "unspin", *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("UNSPIN_FINGERPRINTS", None)
    return env


def _run(args: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(_unspin(args), env=_env(), capture_output=True, text=True, timeout=timeout)


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(_unspin(args), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _lines(path: Path) -> int:
    try:
        with open(path, "rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 16), b""))
    except FileNotFoundError:
        return 0


def _kill_after_records(args: list[str], out: Path, records: int, rng: random.Random, limit: float) -> bool:
    """Start the command, SIGKILL it once `out` has `records` lines (plus a random few ms).
    False when it finished first."""
    proc = _start(args)
    deadline = time.monotonic() + limit
    while proc.poll() is None and time.monotonic() < deadline:
        if _lines(out) >= records:
            time.sleep(rng.uniform(0, 0.03))
            _kill(proc)
            return True
        time.sleep(0.005)
    if proc.poll() is None:
        _kill(proc)
        return True
    return False


def _kill_after_seconds(args: list[str], seconds: float) -> bool:
    proc = _start(args)
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        _kill(proc)
        return True


# --- comparing outputs -----------------------------------------------------------------------


def _records(path: Path) -> tuple[list[dict], int]:
    records, bad = [], 0
    if not path.exists():
        return records, bad
    for line in path.read_bytes().splitlines():
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            bad += 1
            continue
        records.append(record)
    return records, bad


def _compare(tally: Tally, clean: list[dict], out: Path) -> None:
    got, bad = _records(out)
    tally.unparseable += bad
    want_ids, got_ids = Counter(r.get("doc_id") for r in clean), Counter(r.get("doc_id") for r in got)
    tally.lost += sum((want_ids - got_ids).values())
    tally.duplicated += sum((got_ids - want_ids).values())
    tally.differing += sum(1 for want, have in zip(clean, got) if want != have)  # in input order, as resumed


# --- the workloads ---------------------------------------------------------------------------


def _write_inputs(folder: Path, docs: int, seed: int) -> dict[str, Path]:
    rng = random.Random(seed)
    rows = folder / "docs.jsonl"
    with open(rows, "w", encoding="utf-8") as fh:
        for i in range(docs):
            text = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 8)))
            doc_id = f"d{i % (docs - 3)}" if docs > 10 else f"d{i}"  # a few duplicate ids on purpose
            fh.write(json.dumps({"id": doc_id, "text": text}) + "\n")
        fh.write("not json: an error record on purpose\n")
    fingerprints = folder / "fp.csv"
    fingerprints.write_text(FINGERPRINTS, encoding="utf-8")
    lexicon = folder / "lexicon.tsv"
    with open(lexicon, "w", encoding="utf-8") as fh:
        for i in range(docs * 200):
            fh.write(f"observed{i % 997}\toriginal{i}\t{1 + i % 5}\n")
    return {"rows": rows, "fingerprints": fingerprints, "pairs": lexicon}


def _scan_args(inputs: dict[str, Path], out: Path, jobs: int) -> list[str]:
    return ["scan", str(inputs["rows"]), "--no-model", "--fingerprints", str(inputs["fingerprints"]), "-q",
            "--jobs", str(jobs), "-o", str(out)]


def _restore_args(inputs: dict[str, Path], out: Path, jobs: int) -> list[str]:
    return ["restore", "--jsonl", str(inputs["rows"]), "--lm", "ngram", "-q", "--jobs", str(jobs), "-o", str(out)]


def streaming(name: str, make_args: Callable[[dict[str, Path], Path, int], list[str]], inputs: dict[str, Path],
              work: Path, runs: int, jobs: int, rng: random.Random) -> Tally:
    tally = Tally(name)
    started = time.perf_counter()
    clean_out = work / f"{name}-clean.jsonl"
    clean_run = _run(make_args(inputs, clean_out, jobs))
    clean, _ = _records(clean_out)
    expected_exit = clean_run.returncode
    for attempt in range(runs):
        out = work / f"{name}-{attempt}.jsonl"
        killed = _kill_after_records(make_args(inputs, out, jobs), out, rng.randint(0, len(clean) - 1), rng, 300)
        tally.kills += killed
        tally.killed_with_output += killed and out.exists() and out.stat().st_size > 0
        resumed = _run(make_args(inputs, out, jobs) + ["--resume"])
        tally.resume_failures += resumed.returncode != expected_exit
        _compare(tally, clean, out)
        out.unlink(missing_ok=True)
    tally.seconds = round(time.perf_counter() - started, 1)
    tally.notes.append(f"{len(clean)} records per run, clean exit {expected_exit}")
    return tally


def index_build(inputs: dict[str, Path], work: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("index build")
    started = time.perf_counter()
    lexicon = work / "vocab.tsv.gz"
    _vocabulary_lexicon(lexicon)
    clean_out = work / "clean.db"
    args = lambda out: ["index", "build", str(inputs["rows"]), "-o", str(out), "--lexicon", str(lexicon), "-q"]  # noqa: E731
    t0 = time.perf_counter()
    expected_exit = _run(args(clean_out)).returncode
    duration = time.perf_counter() - t0
    want = _index_documents(clean_out)
    for attempt in range(runs):
        out = work / f"index-{attempt}.db"
        if attempt % 2:  # half the kills land on a previous complete index being rebuilt
            out.write_bytes(clean_out.read_bytes())
        killed = _kill_after_seconds(args(out), rng.uniform(0.2, duration))
        tally.kills += killed
        if killed and out.exists():
            tally.killed_with_output += 1
            state = _index_state(out)
            tally.integrity_errors += state != "ok"
            tally.partial_visible += state == "ok" and _index_documents(out) != want
        rerun = _run(args(out))
        tally.resume_failures += rerun.returncode != expected_exit
        tally.integrity_errors += _index_state(out) != "ok"
        got = _index_documents(out)
        tally.lost += max(want - got, 0)
        tally.duplicated += max(got - want, 0)
        out.unlink(missing_ok=True)
    tally.seconds = round(time.perf_counter() - started, 1)
    tally.notes.append(f"{want} documents per index, clean build {duration:.1f} s")
    return tally


def _vocabulary_lexicon(path: Path) -> None:
    import gzip

    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for observed, original in (("corporate", "company"), ("stated", "said"), ("marketplace", "market")):
            fh.write(f"{observed}\t{original}\tmoby\t0.5\n")


def _index_state(path: Path) -> str:
    try:
        with sqlite3.connect(path) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.Error as exc:
        return f"error: {exc}"


def _index_documents(path: Path) -> int:
    try:
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return -1


def learn(inputs: dict[str, Path], work: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("learn")
    started = time.perf_counter()
    clean_out = work / "clean.tsv"
    args = lambda out: ["learn", str(inputs["pairs"]), "-o", str(out)]  # noqa: E731
    t0 = time.perf_counter()
    expected_exit = _run(args(clean_out)).returncode
    duration = time.perf_counter() - t0
    want = clean_out.read_text(encoding="utf-8")
    for attempt in range(runs):
        out = work / f"learned-{attempt}.tsv"
        killed = _kill_after_seconds(args(out), rng.uniform(0.2, duration))
        tally.kills += killed
        if killed and out.exists():
            tally.killed_with_output += 1
            tally.partial_visible += out.read_text(encoding="utf-8") != want
        rerun = _run(args(out))
        tally.resume_failures += rerun.returncode != expected_exit
        got = out.read_text(encoding="utf-8") if out.exists() else ""
        tally.lost += max(len(want.splitlines()) - len(got.splitlines()), 0)
        tally.differing += got != want
        out.unlink(missing_ok=True)
    tally.seconds = round(time.perf_counter() - started, 1)
    tally.notes.append(f"{len(want.splitlines()) - 1} pairs, clean run {duration:.1f} s")
    return tally


# --- full and read-only filesystems ----------------------------------------------------------


def _mount_tmpfs(folder: Path, size: str) -> str | None:
    """None when mounted, else why not."""
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, text=True)
    return None if proc.returncode == 0 else (proc.stderr.strip() or f"mount exited {proc.returncode}")


def _umount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True)


def filesystems(inputs: dict[str, Path], work: Path) -> dict:
    results: dict = {}
    clean_out = work / "fs-clean.jsonl"
    _run(_scan_args(inputs, clean_out, 1))
    clean, _ = _records(clean_out)
    full = work / "full"
    why = _mount_tmpfs(full, "16k")
    if why:
        return {"skipped": f"cannot mount a tmpfs ({why}); run as root to check full and read-only filesystems"}
    try:
        out = full / "out.jsonl"
        proc = _run(_scan_args(inputs, out, 1))
        rescued = work / "rescued.jsonl"
        rescued.write_bytes(out.read_bytes() if out.exists() else b"")
        tally = Tally("scan on a full filesystem")
        resumed = _run(_scan_args(inputs, rescued, 1) + ["--resume"])
        _compare(tally, clean, rescued)
        index = _run(["index", "build", str(inputs["rows"]), "-o", str(full / "i.db"), "-q"])
        results["full"] = {"exit": proc.returncode, "clear_error": _clear(proc.stderr), "records_before_full": _lines(out),
                           "resume_elsewhere_exit": resumed.returncode, "lost": tally.lost, "duplicated": tally.duplicated,
                           "differing": tally.differing, "unparseable": tally.unparseable,
                           "index_build_exit": index.returncode, "index_clear_error": _clear(index.stderr),
                           "index_left_behind": sorted(p.name for p in full.iterdir() if p.suffix == ".db" or "partial" in p.name)}
    finally:
        _umount(full)
    readonly = work / "readonly"
    why = _mount_tmpfs(readonly, "1m")
    if why:
        results["read_only"] = {"skipped": why}
        return results
    try:
        subprocess.run(["mount", "-o", "remount,ro", str(readonly)], check=True, capture_output=True)
        scan = _run(_scan_args(inputs, readonly / "out.jsonl", 1))
        restore = _run(["restore", "--jsonl", str(inputs["rows"]), "--lm", "ngram", "-q", "-o", str(readonly / "r.jsonl")])
        index = _run(["index", "build", str(inputs["rows"]), "-o", str(readonly / "i.db"), "-q"])
        learned = _run(["learn", str(inputs["pairs"]), "-o", str(readonly / "l.tsv")])
        results["read_only"] = {name: {"exit": p.returncode, "clear_error": _clear(p.stderr)}
                                for name, p in (("scan", scan), ("restore", restore), ("index build", index), ("learn", learned))}
    finally:
        _umount(readonly)
    return results


def _clear(stderr: str) -> bool:
    """One coded message naming the problem, no traceback."""
    return "Traceback" not in stderr and ("U113" in stderr or "U1" in stderr)


# --- the command -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    chosen = set(args.only or ("scan", "restore", "index", "learn", "filesystems"))
    with tempfile.TemporaryDirectory(prefix="unspin-faults-") as tmp:
        work = Path(tmp)
        inputs = _write_inputs(work, args.docs, args.seed)
        tallies = []
        if "scan" in chosen:
            tallies.append(streaming("scan", _scan_args, inputs, work, args.runs, args.jobs, rng))
        if "restore" in chosen:
            tallies.append(streaming("restore --jsonl", _restore_args, inputs, work, args.restore_runs or args.runs, 1, rng))
        if "index" in chosen:
            tallies.append(index_build(inputs, work, args.runs, rng))
        if "learn" in chosen:
            tallies.append(learn(inputs, work, args.runs, rng))
        fs = filesystems(inputs, work) if "filesystems" in chosen else {"skipped": "not asked for"}
    report = {"bench": "faults", "date": time.strftime("%Y-%m-%d %H:%M"), "docs": args.docs, "seed": args.seed,
              "kills": [asdict(t) for t in tallies], "filesystems": fs}
    report["damage"] = sum(t.lost + t.duplicated + t.differing + t.unparseable + t.integrity_errors + t.partial_visible
                           + t.resume_failures for t in tallies)
    text = json.dumps(report, indent=1)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0 if report["damage"] == 0 else 1


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("faults", help="SIGKILL scan/restore/index build/learn at random points, resume, count the damage")
    p.add_argument("--runs", type=int, default=20, help="kills per command (default 20)")
    p.add_argument("--restore-runs", type=int, default=None, help="kills for restore --jsonl (default --runs; it loads the engine each time)")
    p.add_argument("--docs", type=int, default=120, help="documents in the workload (default 120)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes for scan (default 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", action="append", choices=("scan", "restore", "index", "learn", "filesystems"),
                   help="run only these parts (repeatable)")
    p.add_argument("-o", "--output", help="also write the JSON report here")
    p.set_defaults(handler=run)
