"""`unspin bench serve --hostile`: a real `unspin serve` under the inputs of issue 14, mixed with
good requests: decompression bombs (a .docx expanding to 1 GB, a PDF of 60 pages sharing one
1.2 MB stream), 500 KB restores, lone surrogates, 100k-deep JSON, foreign Host headers, header
tricklers (slowloris), oversized heads and bodies, broken JSON. Loopback only; a fixed, seeded
plan of `--requests` requests (1,000), `--concurrency` at a time (64).

Reported: answers per status and per kind, answers no kind should get (any 5xx but 503/504 is
one), /api/health latency p50/p99 polled every 100 ms during the load, the peak memory of the
server's process tree (sum of RSS, which counts pages shared by the forked workers once per
process, and of PSS, which shares them out), and whether good requests are answered afterwards.
Targets: no unexpected answers, health p99 < 250 ms, peak < 1.5 GB, good requests answered.
The load's threads run at nice 10 (not the server, nor the health probe, nor the memory sampler).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from .hostile_inputs import deep_json, docx_bomb, lone_surrogate_json, pdf_bomb
from .serve import (FALLBACK_TEXT, JSON_TYPE, Outcome, ServerProcess, latency_ms, percentile, sample_texts, start_server,
                    ThreadClients)

ENGINE = {503, 504}  # the server protecting itself: right for any call that reaches the engines
# kind: (share of the load, the answers it may rightly get)
HOSTILE_MIX: dict[str, tuple[float, set[int]]] = {
    "scan_json": (0.22, {200} | ENGINE),
    "restore_json": (0.12, {200} | ENGINE),
    "scan_upload": (0.04, {200} | ENGINE),
    "health": (0.05, {200}),
    "page": (0.02, {200}),
    "docx_bomb_extract": (0.04, {413} | ENGINE),
    "docx_bomb_scan": (0.03, {413} | ENGINE),
    "pdf_bomb_scan": (0.04, {413} | ENGINE),
    "big_restore": (0.05, {413} | ENGINE),
    "lone_surrogate": (0.06, {400}),
    "deep_json": (0.05, {400}),
    "wrong_host": (0.05, {421}),
    "slowloris": (0.02, {408}),
    "oversized_head": (0.03, {431}),
    "oversized_body": (0.04, {413}),
    "broken_json": (0.06, {400}),
    "wrong_field": (0.04, {422}),
    "wrong_media_type": (0.04, {415}),
}
GOOD_KINDS = {"scan_json", "restore_json", "scan_upload", "health", "page"}
MB = 1 << 20


@dataclass(frozen=True)
class Payloads:
    texts: list[str]
    docx_bomb: bytes
    pdf_bomb: bytes
    big_restore: bytes
    oversized_body: bytes


def make_payloads(args: argparse.Namespace) -> Payloads:
    texts = sample_texts(args.seed, args.fake)
    big_text = (" ".join(texts) + " ") * (1 + 500_000 // (len(" ".join(texts)) + 1))
    return Payloads(texts=texts, docx_bomb=docx_bomb(args.bomb_mb * MB), pdf_bomb=pdf_bomb(60, 1.2e6),
                    big_restore=json.dumps({"text": big_text[:500_000]}).encode(),
                    oversized_body=b'{"text": "' + b"spun " * int(args.max_body_mb * MB * 1.2 / 5) + b'"}')


def plan(n: int, seed: int) -> list[str]:
    kinds = list(HOSTILE_MIX)
    return random.Random(seed).choices(kinds, weights=[HOSTILE_MIX[k][0] for k in kinds], k=n)


def request_for(kind: str, i: int, p: Payloads) -> dict[str, Any]:
    text = p.texts[i % len(p.texts)]
    docx = {"file": ("bomb.docx", p.docx_bomb, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")}
    table: dict[str, dict[str, Any]] = {
        "scan_json": {"method": "POST", "url": "/api/scan", "json": {"text": text, "doc_id": f"doc-{i}"}},
        "restore_json": {"method": "POST", "url": "/api/restore", "json": {"text": text}},
        "scan_upload": {"method": "POST", "url": "/api/scan", "files": {"file": (f"d{i}.txt", text.encode(), "text/plain")}},
        "health": {"method": "GET", "url": "/api/health"},
        "page": {"method": "GET", "url": "/"},
        "docx_bomb_extract": {"method": "POST", "url": "/api/extract", "files": docx},
        "docx_bomb_scan": {"method": "POST", "url": "/api/scan", "files": docx},
        "pdf_bomb_scan": {"method": "POST", "url": "/api/scan", "files": {"file": ("pages.pdf", p.pdf_bomb, "application/pdf")}},
        "big_restore": {"method": "POST", "url": "/api/restore", "content": p.big_restore, "headers": JSON_TYPE},
        "lone_surrogate": {"method": "POST", "url": "/api/restore" if i % 2 else "/api/scan",
                           "content": lone_surrogate_json(), "headers": JSON_TYPE},
        "deep_json": {"method": "POST", "url": "/api/scan", "content": deep_json(100_000), "headers": JSON_TYPE},
        "wrong_host": {"method": "POST", "url": "/api/scan", "json": {"text": text}, "headers": {"host": "rebound.example"}},
        "oversized_body": {"method": "POST", "url": "/api/restore", "content": p.oversized_body, "headers": JSON_TYPE},
        "broken_json": {"method": "POST", "url": "/api/restore", "content": b'{"text": "unterminated', "headers": JSON_TYPE},
        "wrong_field": {"method": "POST", "url": "/api/scan", "json": {"body": text}},
        "wrong_media_type": {"method": "POST", "url": "/api/scan", "content": text.encode(),
                             "headers": {"content-type": "text/plain"}},
    }
    return table[kind]


# ----------------------------------------------------------------------------- raw-socket kinds


def trickle_head(host: str, port: int, give_up_s: float) -> str:
    """Send a request head one byte at a time, 5 bytes/s, until the server answers or closes."""
    head = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000
    with socket.create_connection((host, port), timeout=give_up_s) as sock:
        sock.settimeout(0.2)
        deadline = time.monotonic() + give_up_s
        for i in range(len(head)):
            if time.monotonic() > deadline:
                return "error:still_open"
            try:
                sock.send(head[i:i + 1])
                answer = sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return "error:closed_without_answer"
            return _status_of(answer) if answer else "error:closed_without_answer"
    return "error:still_open"


def oversized_head(host: str, port: int) -> str:
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 64_000 + b"\r\n\r\n")
        try:
            return _status_of(sock.recv(4096))
        except OSError as exc:
            return f"error:{type(exc).__name__}"


def _status_of(answer: bytes) -> str:
    parts = answer.split(b" ", 2)
    return parts[1].decode() if len(parts) > 1 and parts[1].isdigit() else "error:no_status"


# ----------------------------------------------------------------------------- the load


def send_all(base_url: str, kinds: list[str], p: Payloads, concurrency: int, client_timeout: float,
             head_timeout_s: float) -> list[Outcome]:
    import httpx

    where = urlsplit(base_url)
    host, port = where.hostname or "127.0.0.1", where.port or 80
    client = ThreadClients(base_url, client_timeout)

    def one(i: int) -> Outcome:
        kind = kinds[i]
        started = time.perf_counter()
        try:
            if kind == "slowloris":
                status = trickle_head(host, port, head_timeout_s + 10)
            elif kind == "oversized_head":
                status = oversized_head(host, port)
            else:
                status = str(client().request(**request_for(kind, i, p)).status_code)
        except (httpx.HTTPError, OSError) as exc:
            status = f"error:{type(exc).__name__}"
            client.drop()
        return Outcome(kind, status, time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, range(len(kinds))))


class HealthProbe:
    """GET /api/health every `every_s` on its own connection while the load runs."""

    def __init__(self, base_url: str, every_s: float = 0.1) -> None:
        self.base_url, self.every_s = base_url, every_s
        self.seconds: list[float] = []
        self.failures: Counter = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def start(self) -> "HealthProbe":
        self._thread.start()
        return self

    def _poll(self) -> None:
        import httpx

        with httpx.Client(base_url=self.base_url, timeout=30, trust_env=False) as client:
            while not self._stop.wait(self.every_s):
                started = time.perf_counter()
                try:
                    status = client.get("/api/health").status_code
                except httpx.HTTPError as exc:
                    self.failures[type(exc).__name__] += 1
                    continue
                if status == 200:
                    self.seconds.append(time.perf_counter() - started)
                else:
                    self.failures[str(status)] += 1

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join(35)
        ms = [s * 1000 for s in self.seconds]
        return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 1), "p99_ms": round(percentile(ms, 99), 1),
                "max_ms": round(max(ms), 1) if ms else None, "failures": dict(self.failures)}


class TreeMemory:
    """Peak memory of a process and its descendants (the engine workers): RSS summed, and PSS
    summed (shared pages divided among the processes sharing them)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> "TreeMemory":
        self.start_rss, self.start_pss, _ = self.measure(with_pss=True)
        self._thread.start()
        return self

    def measure(self, with_pss: bool) -> tuple[int, int, int]:
        import psutil

        root = psutil.Process(self.pid)
        rss = pss = 0
        processes = [root, *root.children(recursive=True)]
        for process in processes:
            try:
                if with_pss:
                    info = process.memory_full_info()
                    rss, pss = rss + info.rss, pss + info.pss
                else:
                    rss += process.memory_info().rss
            except psutil.Error:
                continue
        return rss, pss, len(processes)

    def _sample(self) -> None:
        tick = 0
        while not self._stop.wait(0.05):
            tick += 1
            try:
                rss, pss, n = self.measure(with_pss=tick % 4 == 0)
            except Exception:  # noqa: BLE001 - the server ended
                return
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, n)

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join(5)
        return {"after_start_rss_mb": round(self.start_rss / MB, 1), "after_start_pss_mb": round(self.start_pss / MB, 1),
                "peak_rss_sum_mb": round(self.peak_rss / MB, 1), "peak_pss_sum_mb": round(self.peak_pss / MB, 1),
                "peak_processes": self.peak_processes}


def good_requests_answered(base_url: str, text: str) -> dict[str, int | str]:
    import httpx

    answers: dict[str, int | str] = {}
    with httpx.Client(base_url=base_url, timeout=60, trust_env=False) as client:
        for name, request in (("health", {"method": "GET", "url": "/api/health"}),
                              ("scan", {"method": "POST", "url": "/api/scan", "json": {"text": text}}),
                              ("restore", {"method": "POST", "url": "/api/restore", "json": {"text": text}})):
            try:
                answers[name] = client.request(**request).status_code
            except httpx.HTTPError as exc:
                answers[name] = f"error:{type(exc).__name__}"
    return answers


# ----------------------------------------------------------------------------- the run


def run_hostile(args: argparse.Namespace, server_args: list[str]) -> dict[str, Any]:
    payloads = make_payloads(args)
    kinds = plan(args.requests, args.seed)
    server: ServerProcess = start_server(args, server_args)
    try:
        memory = TreeMemory(server.process.pid).start()
        probe = HealthProbe(server.url).start()
        _yield_cpu_to_the_server()  # after the probe's thread started: it keeps the normal priority
        started = time.perf_counter()
        outcomes = send_all(server.url, kinds, payloads, args.concurrency, args.timeout + 15, args.header_timeout)
        wall = time.perf_counter() - started
        health = probe.stop()
        after = good_requests_answered(server.url, payloads.texts[0] if payloads.texts else FALLBACK_TEXT)
        peak = memory.stop()
    finally:
        exit_code = server.stop()
    return summarize(args, outcomes, wall, health, peak, after, exit_code, payloads)


CLIENT_NICENESS = 10


def _yield_cpu_to_the_server() -> None:
    """The load generator shares the machine with the server it measures: run its threads at a
    lower CPU priority, so the latencies are the server's and not the client's. On Linux the nice
    value is per thread: this thread and those it starts from now on (the load), not the probe."""
    try:
        os.nice(CLIENT_NICENESS)
    except OSError:
        pass


def summarize(args: argparse.Namespace, outcomes: list[Outcome], wall: float, health: dict[str, Any],
              memory: dict[str, Any], after: dict[str, Any], exit_code: int | None, p: Payloads) -> dict[str, Any]:
    by_kind: dict[str, Counter] = {}
    for o in outcomes:
        by_kind.setdefault(o.kind, Counter())[o.status] += 1
    unexpected = [o for o in outcomes if not o.status.isdigit() or int(o.status) not in HOSTILE_MIX[o.kind][1]]
    statuses = Counter(o.status for o in outcomes)
    five_xx = {s: n for s, n in statuses.items() if s.startswith("5") and s not in {"503", "504"}}
    peak_mb = memory["peak_pss_sum_mb"] or memory["peak_rss_sum_mb"]
    result = {
        "bench": "serve --hostile", "engine": "fake" if args.fake else args.lm,
        "requests": len(outcomes), "concurrency": args.concurrency,
        "server": {"max_in_flight": args.max_in_flight, "max_body_mb": args.max_body_mb, "timeout_s": args.timeout,
                   "header_timeout_s": args.header_timeout},
        "wall_s": round(wall, 2),
        "status_counts": dict(sorted(statuses.items())),
        "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(by_kind.items())},
        "latency_by_kind_ms": {k: latency_ms([o for o in outcomes if o.kind == k]) for k in sorted(by_kind)},
        "unexpected": len(unexpected),
        "unexpected_examples": sorted({f"{o.kind}->{o.status}" for o in unexpected})[:12],
        "health_during_load": health,
        "memory": memory,
        "good_requests_after": after,
        "server_exit_code": exit_code,
        "inputs": {"docx_bomb_bytes": len(p.docx_bomb), "docx_expands_to_mb": args.bomb_mb,
                   "pdf_bomb_bytes": len(p.pdf_bomb), "big_restore_bytes": len(p.big_restore)},
        "targets": {
            "no_5xx_but_503_504": not five_xx,
            "health_p99_under_250ms": health["n"] > 0 and health["p99_ms"] < 250,
            "peak_under_1.5GB": peak_mb < 1536,
            "good_requests_answered_after": all(v == 200 for v in after.values()),
        },
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}",
    }
    return result


def render(r: dict[str, Any]) -> str:
    lines = [f"unspin bench serve --hostile: {r['requests']} requests, {r['concurrency']} at a time, engine {r['engine']}, "
             f"max in flight {r['server']['max_in_flight']}, timeout {r['server']['timeout_s']} s; wall {r['wall_s']} s",
             "  status   " + ", ".join(f"{k}: {v}" for k, v in r["status_counts"].items())]
    for kind, counts in r["by_kind"].items():
        lat = r["latency_by_kind_ms"][kind]
        lines.append(f"    {kind:<19} " + ", ".join(f"{k}: {v}" for k, v in counts.items())
                     + f"   (p50 {lat['p50']} ms, max {lat['max']} ms)")
    lines.append(f"  unexpected answers: {r['unexpected']} {' '.join(r['unexpected_examples'])}")
    h = r["health_during_load"]
    lines.append(f"  /api/health during the load: n={h['n']} p50 {h['p50_ms']} ms, p99 {h['p99_ms']} ms, "
                 f"max {h['max_ms']} ms, failures {h['failures'] or 0}")
    m = r["memory"]
    lines.append(f"  server tree memory: after start RSS {m['after_start_rss_mb']} MB / PSS {m['after_start_pss_mb']} MB; "
                 f"peak RSS sum {m['peak_rss_sum_mb']} MB, PSS sum {m['peak_pss_sum_mb']} MB ({m['peak_processes']} processes)")
    lines.append(f"  good requests after the load: {r['good_requests_after']}")
    lines.append("  targets: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in r["targets"].items()))
    return "\n".join(lines)
