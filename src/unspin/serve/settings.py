"""What `unspin serve` can be told: where to listen, how much to accept, which engines to load."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class ServeSettings:
    """Limits and engine choice for one server process.

    max_body_bytes: a request body larger than this is refused with 413 before it is read.
    timeout_s: a restore or scan running longer than this is answered with 504.
    max_in_flight: restores/scans running at once.
    max_queued: requests that may wait for a free slot (within timeout_s); one more than
        max_in_flight + max_queued is answered at once with 503 + Retry-After.
    max_text_chars: a text (pasted or extracted) longer than this is refused with 413 before
        the engine sees it: with timeout_s, the bound on one request's work.
    worker_memory_mb: how much an engine worker may grow over what it inherited (413 beyond).
    max_jobs_per_worker: a worker is replaced by a fresh fork after this many jobs.
    head_timeout_s / max_header_bytes: a request head must arrive within this time (408) and size.
    keep_alive_s: an idle kept-alive connection is closed after this.
    max_connections: open connections beyond this are closed at once.
    shutdown_grace_s: on SIGTERM, requests in flight get this long before they are cut off.
    allowed_hosts: Host names answered besides the bound address (and loopback names when bound
        to loopback); "*" answers any Host. Other Host headers get 421 (DNS rebinding).
    lm / fingerprints / device: passed to the real engines (ignored when engines are injected).
    """

    host: str = LOOPBACK
    port: int = 8000
    max_body_bytes: int = 5 * MB
    timeout_s: float = 30.0
    max_in_flight: int = 4
    max_queued: int = 0
    retry_after_s: int = 2
    max_text_chars: int = 200_000
    worker_memory_mb: int = 768
    max_jobs_per_worker: int = 500
    head_timeout_s: float = 10.0
    max_header_bytes: int = 16 * 1024
    keep_alive_s: float = 5.0
    max_connections: int = 256
    shutdown_grace_s: int = 3
    allowed_hosts: tuple[str, ...] = ()
    lm: str = "ngram"
    fingerprints: str | None = None
    device: str | None = None

    def __post_init__(self) -> None:
        if self.max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be positive")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if self.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        if self.max_queued < 0:
            raise ValueError("max_queued must not be negative")
        for name in ("max_text_chars", "max_jobs_per_worker", "max_header_bytes", "max_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if min(self.head_timeout_s, self.keep_alive_s) <= 0:
            raise ValueError("head_timeout_s and keep_alive_s must be positive")
        if self.worker_memory_mb < 0 or self.shutdown_grace_s < 0:
            raise ValueError("worker_memory_mb and shutdown_grace_s must not be negative")
        object.__setattr__(self, "allowed_hosts", tuple(self.allowed_hosts))

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"
