"""Known tortured phrases as restoration edits: what a fingerprint list knows, restore uses.

A list's match carries the phrase the list expects instead ("counterfeit consciousness" ->
"artificial intelligence"). `with_fingerprint_edits` adds each such match to a restoration as an
edit; where the engine proposed something overlapping it, the list's entry wins (a published
list of known spinner output is surer than the engine's guess, as in `scan`). Matches whose list
gives no expected phrase are left out: there is nothing to restore them to.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ..text import apply_restoration
from ..types import Edit, Evidence, Finding, FindingKind, Restoration

if TYPE_CHECKING:
    from .fingerprints import FingerprintMatcher


def fingerprint_edit(finding: Finding) -> Edit:
    return Edit(span=finding.span, observed=finding.observed, suggestion=finding.suggestion,
                kind=FindingKind.FINGERPRINT, confidence=finding.confidence, alternatives=finding.alternatives,
                evidence=Evidence(sources=("fingerprint",), lm_gain=0.0, channel=0.0), rule=finding.rule,
                message=finding.message, short_message=finding.short_message)


def with_fingerprint_edits(restoration: Restoration, matcher: "FingerprintMatcher | None") -> Restoration:
    """`restoration` plus an edit for every list match that has an expected phrase."""
    if matcher is None:
        return restoration
    listed = [fingerprint_edit(f) for f in matcher.find(restoration.text)
              if f.suggestion and f.suggestion.lower() != f.observed.lower()]
    if not listed:
        return restoration
    taken = [(e.span.start, e.span.end) for e in listed]
    kept = [e for e in restoration.edits if not any(s < e.span.end and e.span.start < t for s, t in taken)]
    edits = tuple(sorted(kept + listed, key=lambda e: (e.span.start, e.span.end)))
    restored = apply_restoration(restoration.text, [(e.span.start, e.span.end, e.original) for e in edits])
    return dataclasses.replace(restoration, edits=edits, restored=restored)


__all__ = ["fingerprint_edit", "with_fingerprint_edits"]
