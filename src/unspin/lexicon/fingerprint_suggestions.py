"""PPS expected phrases, cleaned: the list's `expected_phrase` column into a suggestion and options.

The column is free text: "?" marks an unsure suggestion ("???" none at all), parentheses hold
notes, "OR" and "/" give options ("data/information mining"), brackets hold optional words, and
some rows cite a URL or read "the word 'x'".
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    """The PPS expected_phrase, cleaned: a suggestion, other options, and whether it is sure."""

    suggestion: str  # "" when the list does not know ("???")
    options: tuple[str, ...]
    uncertain: bool
    raw: str


def clean_expected(raw: str) -> Expected:
    s = raw.replace("\xa0", " ").replace('\\"', '"').strip()
    s = re.sub(r",?\s*see\s+https?://\S+", "", s)
    s = re.sub(r"https?://\S+", "", s)
    uncertain = "?" in s
    if re.match(r"(?i)the word\b", s):
        quoted = re.search(r"[‘'\"]([^’'\"]+)[’'\"]", s)
        s = quoted.group(1) if quoted else s
    for _ in range(2):
        s = re.sub(r"\([^()]*\)", " ", s)
    options: list[str] = []
    for option in re.split(r"\s+OR\s+", s):
        for variant in (re.sub(r"\[[^\]]*\]", " ", option), re.sub(r"\[(\.\.\.|…)\]|[\[\]]", " ", option)):
            options.extend(_slash_options(variant))
    cleaned = list(dict.fromkeys(o for o in (_tidy(o) for o in options) if o))
    return Expected(cleaned[0] if cleaned else "", tuple(cleaned), uncertain or not cleaned, raw)


def _slash_options(phrase: str) -> list[str]:
    words = phrase.split()
    choices = [w.split("/") if "/" in w and "://" not in w else [w] for w in words]
    width = max((len(c) for c in choices), default=1)
    return [" ".join(c[min(k, len(c) - 1)] for c in choices) for k in range(width)]


def _tidy(phrase: str) -> str:
    phrase = re.sub(r"[?*\"“”]", " ", phrase)
    phrase = re.sub(r"\s+([,;:])", r"\1", phrase)
    return re.sub(r"\s+", " ", phrase).strip(" ,;:.-–")
