"""Sentences a person can read for every suggested change, and a reason for a document's score.

Pure functions over plain values (observed, suggestion, kind, rule, the list it came from), so
every output (CLI reports, the web page, the LanguageTool endpoint, spaCy) says the same thing.

    >>> finding_message("counterfeit consciousness", "artificial intelligence", "fingerprint")
    Message(message="Known tortured phrase for 'artificial intelligence' (listed by the Problematic Paper Screener).", short='Known tortured phrase')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

PPS = "the Problematic Paper Screener"
# Where a model finding's candidates came from, in words ("screen:moby,wordnet" -> thesauri).
_SOURCE_WORDS = {
    "moby": "Moby thesaurus", "mythes": "LibreOffice thesaurus", "wordnet": "WordNet",
    "function": "function-word table", "phrase": "thesaurus phrases", "learned": "learned swaps",
    "fingerprint": "known tortured phrases",
}


@dataclass(frozen=True)
class Message:
    message: str  # one sentence
    short: str  # a few words, for a tooltip or a list


def finding_message(observed: str, suggestion: str, kind: str, rule: str = "", *,
                    listed_by: str | None = None) -> Message:
    """What to tell a reader about one finding.

    kind: "fingerprint" (a known tortured phrase) or "model" (the engine's own finding);
    listed_by: who published the fingerprint list (default: the Problematic Paper Screener).
    """
    kind = getattr(kind, "value", kind)
    if kind == "fingerprint":
        by = listed_by or PPS
        if suggestion and suggestion.lower() != observed.lower():
            return Message(f"Known tortured phrase for '{suggestion}' (listed by {by}).", "Known tortured phrase")
        # lists without expected phrases (the bundled one) are not the PPS's: name no publisher
        where = f"listed by {listed_by}" if listed_by else "on a published list of tortured phrases"
        return Message(f"Known tortured phrase ({where}); the list gives no original wording.", "Known tortured phrase")
    return Message(f"Unusual wording: spinners turn '{suggestion}' into this.", "Possibly spun wording")


def with_messages(matches: Iterable[Any]) -> tuple[Any, ...]:
    """Matches (unspin.types.Match) with `message` and `short_message` filled in where empty."""
    import dataclasses

    out = []
    for m in matches:
        if not m.message or not m.short_message:
            words = finding_message(m.observed, m.suggestion, m.kind, m.rule)
            m = dataclasses.replace(m, message=m.message or words.message, short_message=m.short_message or words.short)
        out.append(m)
    return tuple(out)


def found_by(kind: str, rule: str = "") -> str:
    """Which part of unspin found it, in words: the list, the screener or the restorer."""
    kind = getattr(kind, "value", kind)
    if kind == "fingerprint":
        return "list of known tortured phrases"
    if rule.startswith("screen:"):
        return "screener (fast single pass)"
    return "restorer (full decoding)"


def sources_in_words(rule: str) -> str:
    names = [s for s in rule.removeprefix("screen:").split(",") if s]
    return ", ".join(_SOURCE_WORDS.get(s, s) for s in names)


def score_reason(spin_probability: float, spun: bool, words: int, findings: Iterable[Mapping[str, Any] | Any]) -> str:
    """One sentence saying why a document got its score, from what the report holds."""
    kinds = [_get(f, "kind") for f in findings]
    known = sum(1 for k in kinds if getattr(k, "value", k) == "fingerprint")
    model = len(kinds) - known
    parts = []
    if known:
        parts.append(f"{known} known tortured phrase{'s' if known != 1 else ''} from a published list")
    if model:
        parts.append(f"{model} wording{'s' if model != 1 else ''} a synonym-swapping tool typically produces")
    if not parts:
        return (f"No known tortured phrase and no likely swap in {words} words."
                if not spun else f"The words as a whole read like a synonym-swapper's output ({words} words).")
    found = " and ".join(parts)
    if known and spun:
        return f"Scored {_pct(spin_probability)} because the text contains {found}; a listed phrase is strong evidence on its own."
    if spun:
        return f"Scored {_pct(spin_probability)} because {found} turned up in {words} words, more than clean text shows."
    return f"Scored {_pct(spin_probability)}: {found} in {words} words, within what clean text sometimes shows."


def _pct(p: float) -> str:
    return f"{round(p * 100)}%"


def _get(finding: Any, name: str) -> Any:
    return finding.get(name) if isinstance(finding, Mapping) else getattr(finding, name, None)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 finding', '2 findings'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


__all__ = ["Message", "PPS", "finding_message", "found_by", "plural", "score_reason", "sources_in_words",
           "with_messages"]
