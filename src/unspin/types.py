"""Result types shared by every part of unspin: small, frozen and JSON-friendly."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Source(str, Enum):
    """Where a candidate original came from."""

    MOBY = "moby"
    MYTHES = "mythes"
    WORDNET = "wordnet"
    FUNCTION = "function"  # hand-written table of function words and short phrases
    PHRASE = "phrase"  # multi-word rewrites composed from the thesauri
    LEARNED = "learned"  # swaps learned from traced pairs
    FINGERPRINT = "fingerprint"  # a known tortured phrase (PPS list or user list)


@dataclass(frozen=True)
class Span:
    """Half-open character range [start, end) into the input text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span [{self.start}, {self.end})")


@dataclass(frozen=True)
class Alternative:
    """Another original the engine considered for the same span."""

    text: str
    score: float  # posterior probability in [0, 1]


@dataclass(frozen=True)
class Evidence:
    """Why the engine proposes an edit."""

    sources: tuple[str, ...]  # lexicon sources of the (observed, original) pair
    lm_gain: float  # log-probability gain of the original over the observed wording (nats)
    channel: float  # log P(observed | original) under the channel model
    doc_prior: float = 0.0  # log boost from the same swap elsewhere in the document (EM)


@dataclass(frozen=True)
class Restoration:
    """The result of restoring one text."""

    text: str  # the input
    restored: str
    edits: tuple[Edit, ...]
    words: int  # word tokens in the input
    # document-level evidence beyond the edits: "sites" (spans a spinner could have produced)
    # and "near_sites" (sites whose best candidate came within 2 nats of the threshold)
    signals: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "restored": self.restored,
            "words": self.words,
            "edits": [e.to_dict() for e in self.edits],
            "signals": dict(self.signals),
        }


class FindingKind(str, Enum):
    FINGERPRINT = "fingerprint"  # matched a known tortured-phrase query
    MODEL = "model"  # the engine (screener or restorer) proposes it


@dataclass(frozen=True)
class Match:
    """One suggested change, whatever proposed it (LanguageTool's RuleMatch, in spirit): the span
    of the input, what is there, what probably stood there, how sure, and why.

    Restore's edits (`Edit`) and scan's findings (`Finding`) are this type; only their JSON
    views differ (`Edit.to_dict` keeps restore's field names)."""

    span: Span
    observed: str
    suggestion: str
    kind: FindingKind = FindingKind.MODEL
    confidence: float = 0.0
    alternatives: tuple[Alternative, ...] = ()
    evidence: Any = field(default_factory=dict)  # restore: Evidence; scan: a dict of the numbers behind it
    rule: str = ""  # fingerprint query or lexicon source that fired
    message: str = ""  # one sentence a person can read
    short_message: str = ""

    @property
    def original(self) -> str:
        """The suggestion, under restore's name for it."""
        return self.suggestion

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = self.kind.value
        for name in ("message", "short_message"):
            if not d[name]:
                del d[name]
        return d


Finding = Match


@dataclass(frozen=True)
class Edit(Match):
    """A change the restorer applied. Its JSON keeps restore's field names ("original")."""

    def to_dict(self) -> dict[str, Any]:
        evidence = asdict(self.evidence) if isinstance(self.evidence, Evidence) else self.evidence
        return {
            "observed": self.observed,
            "original": self.suggestion,
            "confidence": self.confidence,
            "alternatives": [asdict(a) for a in self.alternatives],
            "evidence": evidence,
            "start": self.span.start,
            "end": self.span.end,
        }

    def as_finding(self) -> Match:
        """The same change as scan reports it: evidence as a plain dict, rule = its sources."""
        evidence = asdict(self.evidence) if isinstance(self.evidence, Evidence) else dict(self.evidence or {})
        if "sources" in evidence:
            evidence["sources"] = list(evidence["sources"])
        rule = ",".join(self.evidence.sources) if isinstance(self.evidence, Evidence) else self.rule
        return Match(self.span, self.observed, self.suggestion, FindingKind.MODEL, self.confidence,
                     self.alternatives, evidence, rule, self.message, self.short_message)


@dataclass(frozen=True)
class DocReport:
    """What `scan` says about one document."""

    doc_id: str
    spin_probability: float
    spun: bool  # spin_probability above the decision threshold
    words: int
    findings: tuple[Finding, ...]
    findings_per_1k: float
    error: str | None = None  # set instead of findings when the document could not be read

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["findings"] = [f.to_dict() for f in self.findings]
        return d


@dataclass(frozen=True)
class Document:
    """One input document as read by unspin.io: text, or the reason it could not be read."""

    doc_id: str
    text: str
    source: str = ""  # file path, "path:line" or "path#row" it came from
    meta: dict[str, Any] = field(default_factory=dict)  # other fields of a JSONL/CSV/parquet row
    error: str | None = None  # "U1xx ..." when the document could not be read
