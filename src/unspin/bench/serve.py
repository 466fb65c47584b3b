"""`unspin bench serve`: a bounded local load on a real `unspin serve` process.

Starts the server in a subprocess on 127.0.0.1 (a free port), sends a fixed, seeded mix of good
and bad requests (pasted and uploaded texts, broken JSON, wrong fields, wrong media types,
bodies over the size limit, some streamed) from a bounded number of threads, then reports
latency percentiles, answers by status, the server's peak memory, and whether it still answers
/api/health. Traffic goes to loopback only; the run stops by itself after --requests requests.

    unspin bench serve --requests 500 --concurrency 16            # the real engine (n-gram LM)
    unspin bench serve --fake --requests 500 --concurrency 16     # a stand-in engine (no models)
    unspin bench serve --hostile                                   # issue 14's inputs: 1,000 requests, 64 at a time
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

# Request kinds, their share of the load, and the answers each may rightly get.
# 503 (busy) and 504 (timeout) are the server protecting itself, right for any engine call.
MIX: dict[str, tuple[float, set[int]]] = {
    "scan_json": (0.34, {200, 503, 504}),
    "restore_json": (0.22, {200, 503, 504}),
    "scan_upload": (0.06, {200, 503, 504}),
    "health": (0.06, {200}),
    "broken_json": (0.09, {400}),
    "wrong_field": (0.06, {422}),
    "wrong_media_type": (0.04, {415}),
    "oversized": (0.05, {413}),
    "oversized_streamed": (0.03, {413}),
    "oversized_upload": (0.03, {413}),
    "page": (0.02, {200}),
}
FALLBACK_TEXT = ("The corporate said its counterfeit consciousness unit would lift gross sales by 5 p.c. next year, "
                 "as profound learning models replace older tools. The chief government officer declined to comment.")


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="bounded local load on `unspin serve`: latency, status counts, peak memory")
    p.add_argument("--requests", type=int, help="requests to send (default 500; 1,000 with --hostile)")
    p.add_argument("--concurrency", type=int, help="client threads (default 16; 64 with --hostile)")
    p.add_argument("--hostile", action="store_true",
                   help="mix in bombs, lone surrogates, deep JSON, foreign Hosts, header tricklers (issue 14)")
    p.add_argument("--bomb-mb", type=int, default=1024, help="--hostile: what the .docx bomb expands to (default %(default)s)")
    p.add_argument("--header-timeout", type=float, default=5.0,
                   help="--hostile: the server's request-head time limit (default %(default)s)")
    p.add_argument("--fake", action="store_true", help="serve a stand-in engine instead of the restorer")
    p.add_argument("--fake-delay-ms", type=float, default=20.0,
                   help="--fake: CPU time each engine call burns (default %(default)s)")
    p.add_argument("--lm", default="ngram", help="language model of the real engine (default %(default)s)")
    p.add_argument("--max-in-flight", type=int, default=4)
    p.add_argument("--max-body-mb", type=float, default=5.0)
    p.add_argument("--timeout", type=float, default=30.0, help="server's per-request limit in seconds")
    p.add_argument("--startup-timeout", type=float, default=300.0, help="seconds to wait for models to load")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--output", help="also write the JSON result to this file")
    p.set_defaults(handler=run)


# ----------------------------------------------------------------------------- the server


@dataclass
class ServerProcess:
    process: subprocess.Popen
    url: str

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode


def server_command(args: argparse.Namespace) -> list[str]:
    common = ["--host", "127.0.0.1", "--port", "0", "--max-body-mb", str(args.max_body_mb), "--timeout",
              str(args.timeout), "--max-in-flight", str(args.max_in_flight), "--format", "json"]
    if args.fake:
        return [sys.executable, "-m", "unspin.bench.serve", "--fake-delay-ms", str(args.fake_delay_ms), *common]
    return [sys.executable, "-m", "unspin", "serve", "--lm", args.lm, *common]


def start_server(args: argparse.Namespace, extra_args: list[str] | tuple[str, ...] = ()) -> ServerProcess:
    process = subprocess.Popen([*server_command(args), *extra_args], stdout=subprocess.PIPE, stderr=None, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    found: dict[str, Any] = {}

    def read_startup_line() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            if line.startswith("{") and '"listening"' in line:
                found.update(json.loads(line))
                return

    reader = threading.Thread(target=read_startup_line, daemon=True)
    reader.start()
    reader.join(args.startup_timeout)
    if not found:
        process.kill()
        raise RuntimeError(f"the server did not start within {args.startup_timeout:g} s (exit {process.poll()})")
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # type: ignore[union-attr]
    return ServerProcess(process, found["url"].rstrip("/"))


class PeakMemory:
    """The server's resident memory: VmHWM from /proc where there is one, else sampled with psutil."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.sampled_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> "PeakMemory":
        self.start_rss = self.rss()
        self._thread.start()
        return self

    def rss(self) -> int:
        import psutil

        return int(psutil.Process(self.pid).memory_info().rss)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self.sampled_peak = max(self.sampled_peak, self.rss())
            except Exception:  # the process ended
                return

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(2)
        return max(self.sampled_peak, _vm_hwm(self.pid) or 0)


def _vm_hwm(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


# ----------------------------------------------------------------------------- the load


def sample_texts(seed: int, fake: bool) -> list[str]:
    """Test-split news paragraphs and whole articles, half of them spun; a fixed sample when the
    corpora or the spinner are not installed (and always for --fake, whose engine knows few words)."""
    if fake:
        return [FALLBACK_TEXT, " ".join([FALLBACK_TEXT] * 8), " ".join([FALLBACK_TEXT] * 40)]
    try:
        from ..bench.spinner import Spinner
        from ..corpora import documents, paragraphs
    except ImportError:
        return [FALLBACK_TEXT]
    texts: list[str] = []
    spinner = Spinner(seed=seed)
    for i, doc in enumerate(documents("test", sources=("news",))):
        chunks = paragraphs(doc)
        text = doc.text[:20_000] if i % 5 == 0 else chunks[0]
        texts.append(spinner.spin(text, rate=0.1).text if i % 2 == 0 else text)
        if len(texts) >= 40:
            break
    return texts or [FALLBACK_TEXT]


@dataclass(frozen=True)
class Outcome:
    kind: str
    status: str  # "200", "413", ... or "error:ReadError" when no answer came
    seconds: float


def plan(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    kinds = list(MIX)
    weights = [MIX[k][0] for k in kinds]
    return rng.choices(kinds, weights=weights, k=n)


JSON_TYPE = {"content-type": "application/json"}


def request_for(kind: str, i: int, texts: list[str], big: bytes) -> dict[str, Any]:
    text = texts[i % len(texts)]
    if kind == "scan_json":
        return {"method": "POST", "url": "/api/scan", "json": {"text": text, "doc_id": f"doc-{i}"}}
    if kind == "restore_json":
        return {"method": "POST", "url": "/api/restore", "json": {"text": text}}
    if kind == "scan_upload":
        return {"method": "POST", "url": "/api/scan", "files": {"file": (f"doc-{i}.txt", text.encode(), "text/plain")}}
    if kind == "health":
        return {"method": "GET", "url": "/api/health"}
    if kind == "page":
        return {"method": "GET", "url": "/"}
    if kind == "broken_json":
        return {"method": "POST", "url": "/api/restore", "content": b'{"text": "unterminated', "headers": JSON_TYPE}
    if kind == "wrong_field":
        return {"method": "POST", "url": "/api/scan", "json": {"body": text}}
    if kind == "wrong_media_type":
        plain = {"content-type": "text/plain"}
        return {"method": "POST", "url": "/api/scan", "content": text.encode(), "headers": plain}
    if kind == "oversized":
        return {"method": "POST", "url": "/api/restore", "content": big, "headers": JSON_TYPE}
    if kind == "oversized_streamed":
        return {"method": "POST", "url": "/api/scan", "content": _chunks(big), "headers": JSON_TYPE}
    if kind == "oversized_upload":
        return {"method": "POST", "url": "/api/scan", "files": {"file": ("big.txt", big, "text/plain")}}
    raise ValueError(kind)


def _chunks(data: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


class ThreadClients:
    """One httpx client per calling thread (proxies from the environment off); `drop()` after an
    error, so the thread's next request opens a fresh connection."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url, self.timeout = base_url, timeout
        self._local = threading.local()

    def __call__(self):  # type: ignore[no-untyped-def]
        import httpx

        if not hasattr(self._local, "client"):
            self._local.client = httpx.Client(base_url=self.base_url, timeout=self.timeout, trust_env=False)
        return self._local.client

    def drop(self) -> None:
        self._local.__dict__.pop("client", None)


def send_all(base_url: str, kinds: list[str], texts: list[str], big: bytes, concurrency: int,
             client_timeout: float) -> list[Outcome]:
    import httpx

    client = ThreadClients(base_url, client_timeout)

    def one(i: int) -> Outcome:
        kind = kinds[i]
        started = time.perf_counter()
        try:
            response = client().request(**request_for(kind, i, texts, big))
            status = str(response.status_code)
        except httpx.HTTPError as exc:
            status = f"error:{type(exc).__name__}"
            client.drop()
        return Outcome(kind, status, time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, range(len(kinds))))


# ----------------------------------------------------------------------------- the report


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def latency_ms(outcomes: list[Outcome], keep: Callable[[Outcome], bool] = lambda o: True) -> dict[str, Any]:
    values = [o.seconds * 1000 for o in outcomes if keep(o)]
    return {"n": len(values), **{f"p{q}": round(percentile(values, q), 1) for q in (50, 95, 99)},
            "max": round(max(values), 1) if values else None}


def summarize(outcomes: list[Outcome], wall_s: float) -> dict[str, Any]:
    by_kind: dict[str, Counter] = {}
    for o in outcomes:
        by_kind.setdefault(o.kind, Counter())[o.status] += 1
    unexpected = [o for o in outcomes if not o.status.isdigit() or int(o.status) not in MIX[o.kind][1]]
    engine_kinds = {"scan_json", "restore_json", "scan_upload"}
    return {
        "wall_s": round(wall_s, 2),
        "throughput_rps": round(len(outcomes) / wall_s, 1) if wall_s else None,
        "latency_ms": {
            "all": latency_ms(outcomes),
            "engine_200": latency_ms(outcomes, lambda o: o.kind in engine_kinds and o.status == "200"),
            "refused_4xx": latency_ms(outcomes, lambda o: o.status.startswith("4")),
            "busy_503": latency_ms(outcomes, lambda o: o.status == "503"),
        },
        "latency_by_kind_ms": {k: {key: v for key, v in latency_ms([o for o in outcomes if o.kind == k]).items()
                                   if key in ("p50", "p95")} for k in sorted(by_kind)},
        "status_counts": dict(sorted(Counter(o.status for o in outcomes).items())),
        "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(by_kind.items())},
        "unexpected": len(unexpected),
        "unexpected_examples": sorted({f"{o.kind}->{o.status}" for o in unexpected})[:10],
    }


def health_after(base_url: str) -> bool:
    import httpx

    try:
        return httpx.get(base_url + "/api/health", timeout=10, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def run(args: argparse.Namespace) -> int:
    args.requests = args.requests if args.requests is not None else (1000 if args.hostile else 500)
    args.concurrency = args.concurrency if args.concurrency is not None else (64 if args.hostile else 16)
    if args.requests < 1 or args.concurrency < 1:
        print("unspin bench serve: --requests and --concurrency must be positive", file=sys.stderr)
        return 2
    if args.hostile:
        return run_hostile_and_report(args)
    texts = sample_texts(args.seed, args.fake)
    big = b'{"text": "' + b"spun " * int(args.max_body_mb * 1024 * 1024 * 1.2 / 5) + b'"}'
    kinds = plan(args.requests, args.seed)
    server = start_server(args)
    try:
        memory = PeakMemory(server.process.pid).start()
        started = time.perf_counter()
        outcomes = send_all(server.url, kinds, texts, big, args.concurrency, args.timeout + 15)
        wall = time.perf_counter() - started
        alive = health_after(server.url)
        peak = memory.stop()
    finally:
        exit_code = server.stop()
    result = {
        "bench": "serve",
        "engine": "fake" if args.fake else args.lm,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "server": {"max_in_flight": args.max_in_flight, "max_body_mb": args.max_body_mb, "timeout_s": args.timeout},
        **summarize(outcomes, wall),
        "server_rss_mb": {"after_start": round(memory.start_rss / 2**20, 1), "peak": round(peak / 2**20, 1)},
        "server_alive_after": alive,
        "server_exit_code": exit_code,
        "texts": {"n": len(texts), "max_chars": max(map(len, texts)), "oversized_bytes": len(big)},
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}",
    }
    if args.output:
        with open(args.output, "w") as out:
            json.dump(result, out, indent=2)
    print(json.dumps(result, indent=2) if args.format == "json" else render(result))
    return 0 if alive and result["unexpected"] == 0 else 1


def run_hostile_and_report(args: argparse.Namespace) -> int:
    from .serve_hostile import render as render_hostile
    from .serve_hostile import run_hostile

    result = run_hostile(args, ["--header-timeout", str(args.header_timeout)])
    if args.output:
        with open(args.output, "w") as out:
            json.dump(result, out, indent=2)
    print(json.dumps(result, indent=2) if args.format == "json" else render_hostile(result))
    return 0 if result["unexpected"] == 0 and all(result["targets"].values()) else 1


def render(r: dict[str, Any]) -> str:
    lines = [f"unspin bench serve: {r['requests']} requests, {r['concurrency']} at a time, engine {r['engine']}, "
             f"max in flight {r['server']['max_in_flight']}",
             f"  wall {r['wall_s']} s, {r['throughput_rps']} req/s"]
    for name, lat in r["latency_ms"].items():
        lines.append(f"  latency {name:<12} n={lat['n']:<4} p50={lat['p50']} ms  p95={lat['p95']} ms  "
                     f"max={lat['max']} ms")
    lines.append("  status   " + ", ".join(f"{k}: {v}" for k, v in r["status_counts"].items()))
    for kind, counts in r["by_kind"].items():
        lat = r["latency_by_kind_ms"][kind]
        lines.append(f"    {kind:<19} " + ", ".join(f"{k}: {v}" for k, v in counts.items())
                     + f"   (p50 {lat['p50']} ms, p95 {lat['p95']} ms)")
    lines.append(f"  unexpected answers: {r['unexpected']} {' '.join(r['unexpected_examples'])}")
    rss = r["server_rss_mb"]
    lines.append(f"  server RSS: {rss['after_start']} MB after start, peak {rss['peak']} MB")
    lines.append(f"  server still answers /api/health: {'yes' if r['server_alive_after'] else 'NO'}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the --fake server


class StandInRestorer:
    """Restores a handful of known tortured phrases and burns `delay_ms` of CPU per call, so the
    load exercises the thread pool, the in-flight gate and the time limit without any model."""

    SWAPS = {"corporate": "company", "chief government officer": "chief executive officer",
             "gross sales": "sales", "p.c.": "percent", "counterfeit consciousness": "artificial intelligence",
             "profound learning": "deep learning"}

    def __init__(self, delay_ms: float) -> None:
        self.delay_s = delay_ms / 1000
        alternatives = "|".join(re.escape(k) for k in sorted(self.SWAPS, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<![\w.])({alternatives})(?![\w])", re.IGNORECASE)

    def restore(self, text: str, threshold: float | None = None):  # type: ignore[no-untyped-def]
        from ..text import apply_replacements, match_case, word_count
        from ..types import Alternative, Edit, Evidence, Restoration, Span

        deadline = time.thread_time() + self.delay_s
        while time.thread_time() < deadline:
            pass
        edits = []
        for m in self.pattern.finditer(text):
            original = match_case(m.group(), self.SWAPS[m.group().lower()])
            edits.append(Edit(Span(m.start(), m.end()), m.group(), original, confidence=0.9,
                              alternatives=(Alternative(original, 0.9), Alternative(m.group(), 0.1)),
                              evidence=Evidence(("stand-in",), 3.0, -2.3)))
        restored = apply_replacements(text, [(e.span.start, e.span.end, e.original) for e in edits])
        return Restoration(text, restored, tuple(edits), word_count(text))


def stand_in_scanner(restorer: StandInRestorer):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from ..types import DocReport

    def scan(text: str) -> DocReport:
        r = restorer.restore(text)
        findings = tuple(replace(e.as_finding(), rule="stand-in") for e in r.edits)
        per_1k = 1000.0 * len(findings) / r.words if r.words else 0.0
        return DocReport("", min(1.0, per_1k / 50), per_1k > 25, r.words, findings, round(per_1k, 3))

    return scan


def serve_stand_in(argv: list[str] | None = None) -> int:
    """`python -m unspin.bench.serve [unspin serve options] [--fake-delay-ms N]`: the app with a stand-in engine."""
    from ..cli.serve import add_parser, serve_app, settings_from_args
    from ..serve.app import create_app, forbid_outbound_network

    parser = argparse.ArgumentParser(prog="python -m unspin.bench.serve")
    commands = parser.add_subparsers()
    add_parser(commands)
    commands.choices["serve"].add_argument("--fake-delay-ms", type=float, default=20.0)
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    settings = settings_from_args(args)
    forbid_outbound_network()
    restorer = StandInRestorer(args.fake_delay_ms)
    return serve_app(create_app(restorer, stand_in_scanner(restorer), settings), settings, args.format, args.log_level)


if __name__ == "__main__":
    sys.exit(serve_stand_in())
