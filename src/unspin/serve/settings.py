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
    lm / fingerprints: passed to the real engines (ignored when engines are injected).
    """

    host: str = LOOPBACK
    port: int = 8000
    max_body_bytes: int = 5 * MB
    timeout_s: float = 30.0
    max_in_flight: int = 4
    max_queued: int = 0
    retry_after_s: int = 2
    lm: str = "ngram"
    fingerprints: str | None = None

    def __post_init__(self) -> None:
        if self.max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be positive")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if self.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        if self.max_queued < 0:
            raise ValueError("max_queued must not be negative")

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"
