"""Known tortured-phrase fingerprints: Problematic Paper Screener (PPS) queries, compiled.

The PPS exports its fingerprints as search queries (`tortured_phrase,expected_phrase,num_papers`),
e.g. `"surface region" AND "surface area"`; the query language lives in `fingerprint_query`, the
cleaning of expected phrases in `fingerprint_suggestions`.

Every query compiles into rules: an *anchor* (the first positive clause of each OR branch, the
tortured phrase itself) and a document-level *condition* (the rest of the branch: context, NOT).
Anchors go into one Aho-Corasick automaton over the lower-cased text, with inflected variants of
their last word added at compile time ("image acknowledgments"), so matching never lemmatises
the text. Conditions are checked only when an anchor matched, so clean text costs one pass.

A *whitelist* of legitimate terms (the top PPS rows are mostly legitimate usage) silences bare
anchors; a whitelisted anchor still fires when its query's context condition is met.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import pickle
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import InputError
from ..text import match_case
from ..types import Alternative, Finding, FindingKind, Span
from .fingerprint_query import (
    And,
    Node,
    Not,
    Or,
    Rule,
    Term,
    anchors_and_conditions,
    bounded,
    describe,
    has_positive_context,
    holds,
    parse_query,
    proximity_at,
    spellings,
    tokenize_query,
)
from .fingerprint_suggestions import Expected, clean_expected

# re-exported: callers import the query language and expected-phrase cleaning from here
__all__ = [
    "And", "CONFIDENCE_CONTEXT", "CONFIDENCE_PLAIN", "CONFIDENCE_UNCERTAIN", "DEFAULT_WHITELIST",
    "Expected", "FingerprintMatcher", "INFLECTED_FACTOR", "Node", "Not", "Or", "Rule", "Term",
    "anchors_and_conditions", "clean_expected", "describe", "has_positive_context",
    "inflect_like", "inflected_variants", "parse_query", "tokenize_query",
]


# Legitimate terms that appear as bare PPS fingerprints; found by reading the top rows of the list
# (README: "the top rows are mostly legitimate usage"). Lower-case, exact anchor text.
DEFAULT_WHITELIST = frozenset({
    "surface region", "grouping methods", "component extraction", "information mining",
    "test arrangement", "feedback processing", "degree of displacement", "into the combination",
    "in the presence of n2", "characterization problems", "professional system",
    "cadence design", "sound just", "outcomes likewise", "brilliant", "bosom", "ruinous",
    "preparation stage", "supply route", "border situation", "heart ailments",
})

CONFIDENCE_PLAIN = 0.9  # a bare phrase from the list
CONFIDENCE_CONTEXT = 0.97  # the query's context condition also holds in the document
CONFIDENCE_UNCERTAIN = 0.6  # the list marks its expected phrase with "?" or gives none
INFLECTED_FACTOR = 0.95  # matched an inflected variant rather than the listed form


# ---------------------------------------------------------------- inflection


@lru_cache(maxsize=None)
def inflected_variants(word: str) -> dict[str, tuple[str, ...]]:
    """Forms of `word` as a noun or verb: {form: penn tags it is the preferred form for}."""
    if not word.isalpha() or len(word) < 3:
        return {}
    from .inflection import all_inflections, all_lemmas

    forms: dict[str, set[str]] = {}
    for upos, lemmas in all_lemmas(word).items():
        if upos not in ("NOUN", "VERB"):
            continue
        for lemma in lemmas:
            for tag, tag_forms in all_inflections(lemma, upos=upos).items():
                for rank, form in enumerate(tag_forms):
                    # a tag counts for the form lemminflect prefers; other forms are still variants
                    forms.setdefault(form.lower(), set()).update([tag] if rank == 0 else [])
    return {form: tuple(sorted(tags)) for form, tags in forms.items()}


def inflect_like(word: str, tags: tuple[str, ...]) -> str:
    """`word` (the suggestion's last word) in the first of `tags` it has a form for."""
    if not word.isalpha():
        return word
    from .inflection import all_lemmas, inflection

    lemmas = all_lemmas(word)
    for tag in tags:
        upos = "NOUN" if tag.startswith("NN") else "VERB"
        for lemma in lemmas.get(upos, ()):
            forms = inflection(lemma, tag=tag)
            if forms:
                return forms[0]
    return word


# ---------------------------------------------------------------- the matcher


@dataclass
class _Pattern:
    """One string in the automaton; several rules (and inflected variants) may share it."""

    text: str
    hits: list[tuple[int, str, bool]] = field(default_factory=list)  # (rule, suggestion, inflected)
    left_only: bool = False  # a prefix term: no word boundary needed on the right
    proximity: bool = False  # a trigger word of a proximity anchor


class FingerprintMatcher:
    """Find known tortured phrases in text: `FingerprintMatcher.from_csv(path).find(text)`."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._patterns: list[_Pattern] = []
        self._compile()

    # -- construction

    @classmethod
    def from_csv(cls, path: str | Path, *, whitelist: Iterable[str] | None = None, cache: bool = True) -> "FingerprintMatcher":
        """Read a PPS export (tortured_phrase,expected_phrase[,num_papers]) or any CSV whose
        first two columns are query and expected phrase.

        Compiling needs lemminflect (~300 MB resident) for the inflected variants, so the
        compiled list is cached under `unspin.config.cache_dir()/fingerprints/`, keyed by the
        file's content and the whitelist; later loads (and `--jobs` workers) skip lemminflect.
        """
        try:
            raw = Path(path).read_bytes()
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read fingerprint list: {exc}", source=str(path)) from exc
        allowed = sorted(DEFAULT_WHITELIST if whitelist is None else {w.lower() for w in whitelist})
        cached = _cache_path(raw, allowed) if cache else None
        if cached is not None and cached.exists():
            try:
                with open(cached, "rb") as fh:
                    matcher = pickle.load(fh)
                if isinstance(matcher, cls):
                    return matcher
            except Exception:  # noqa: BLE001 - a stale or broken cache is rebuilt
                pass
        if rows and rows[0] and rows[0][0].strip().lower() in ("tortured_phrase", "query", "phrase"):
            rows = rows[1:]
        matcher = cls.from_rows(((r + ["", ""])[:3] for r in rows if r and r[0].strip()), whitelist=allowed)
        if cached is not None:
            _write_cache(cached, matcher)
        return matcher

    @classmethod
    def from_rows(cls, rows: Iterable[Iterable[str]], *, whitelist: Iterable[str] | None = None) -> "FingerprintMatcher":
        allowed = DEFAULT_WHITELIST if whitelist is None else frozenset(w.lower() for w in whitelist)
        rules: list[Rule] = []
        for query, expected, papers, *_ in (tuple(r) + ("", "") for r in rows):
            try:
                node = parse_query(query)
            except ValueError:
                continue
            exp = clean_expected(expected)
            count = int(re.sub(r"\D", "", papers) or 0)
            for anchor, condition in anchors_and_conditions(node):
                if anchor.words:
                    rules.append(Rule(query.strip(), anchor, condition, exp, count, anchor.text in allowed))
        return cls(rules)

    def _compile(self) -> None:
        by_text: dict[tuple[str, bool, bool], _Pattern] = {}

        def add(text: str, rule: int, suggestion: str, inflected: bool, left_only=False, proximity=False):
            key = (text, left_only, proximity)
            pattern = by_text.setdefault(key, _Pattern(text, left_only=left_only, proximity=proximity))
            pattern.hits.append((rule, suggestion, inflected))

        for i, rule in enumerate(self.rules):
            anchor, suggestion = rule.anchor, rule.expected.suggestion
            if anchor.slop is not None:  # trigger on the rarest word only, check the window then
                add(_rarest(anchor.words), i, suggestion, False, proximity=True)
                continue
            for text in spellings(anchor.text):
                add(text, i, suggestion, False, left_only=anchor.prefix)
            if anchor.prefix:
                continue
            last = anchor.words[-1]
            forms = inflected_variants(last)
            own_tags = forms.get(last, ())
            for form, tags in forms.items():
                if form == last:
                    continue
                inflected = suggestion
                if suggestion and not set(tags) & set(own_tags):
                    head, _, tail = suggestion.rpartition(" ")
                    inflected = f"{head} {inflect_like(tail, tags)}".strip()
                for text in spellings(" ".join(anchor.words[:-1] + (form,))):
                    add(text, i, inflected, True)
        self._patterns = list(by_text.values())
        self._build_automaton()

    def _build_automaton(self) -> None:
        texts = [p.text for p in self._patterns]
        try:
            import ahocorasick_rs

            self._rs = ahocorasick_rs.AhoCorasick(
                texts, implementation=ahocorasick_rs.Implementation.DFA
            ) if texts else None
            self._py = None
        except ImportError:
            import ahocorasick

            self._rs = None
            self._py = ahocorasick.Automaton()
            for i, text in enumerate(texts):
                self._py.add_word(text, (i, len(text)))
            if texts:
                self._py.make_automaton()
            else:
                self._py = None

    def __getstate__(self) -> dict:
        return {"rules": self.rules, "patterns": self._patterns}

    def __setstate__(self, state: dict) -> None:
        self.rules, self._patterns = state["rules"], state["patterns"]
        self._build_automaton()

    def __len__(self) -> int:
        return len(self.rules)

    # -- matching

    def _raw_hits(self, low: str) -> Iterator[tuple[int, int, int]]:
        if self._rs is not None:
            yield from self._rs.find_matches_as_indexes(low, overlapping=True)
        elif self._py is not None:
            for end, (index, length) in self._py.iter(low):
                yield index, end + 1 - length, end + 1

    def find(self, text: str) -> list[Finding]:
        """Non-overlapping findings, in text order; conditions are checked per document."""
        low = _lower(text)
        candidates: list[tuple[int, int, int, str, bool]] = []  # start, end, rule, suggestion, inflected
        for index, start, end in self._raw_hits(low):
            pattern = self._patterns[index]
            if not bounded(low, start, end, pattern.left_only):
                continue
            for rule_index, suggestion, inflected in pattern.hits:
                rule = self.rules[rule_index]
                if pattern.proximity:
                    if not all(word in low for word in rule.anchor.words):
                        continue
                    window = proximity_at(low, rule.anchor, start, end)
                    if window is None:
                        continue
                    start_, end_ = window
                    candidates.append((start_, end_, rule_index, suggestion, inflected))
                else:
                    candidates.append((start, end, rule_index, suggestion, inflected))
        if not candidates:
            return []
        return self._select(text, low, candidates)

    def _select(self, text: str, low: str, candidates: list) -> list[Finding]:
        verdicts: dict[int, bool] = {}
        cache: dict[Term, bool] = {}
        findings: list[Finding] = []
        taken_until = -1
        # longest first at each start; exact forms before inflected ones; popular rules first
        candidates.sort(key=lambda c: (c[0], -(c[1] - c[0]), c[4], -self.rules[c[2]].num_papers))
        for start, end, rule_index, suggestion, inflected in candidates:
            if start < taken_until:
                continue
            rule = self.rules[rule_index]
            if rule_index not in verdicts:
                verdicts[rule_index] = rule.condition is None or holds(rule.condition, low, cache)
            if not verdicts[rule_index]:
                continue
            context = has_positive_context(rule.condition)
            if rule.whitelisted and not context:
                continue
            findings.append(self._finding(text, start, end, rule, suggestion, inflected, context))
            taken_until = end
        return findings

    def _finding(self, text, start, end, rule: Rule, suggestion, inflected, context) -> Finding:
        observed = text[start:end]
        confidence = CONFIDENCE_UNCERTAIN if rule.expected.uncertain else (
            CONFIDENCE_CONTEXT if context else CONFIDENCE_PLAIN)
        if inflected:
            confidence *= INFLECTED_FACTOR
        suggestion = match_case(observed, suggestion) if suggestion else ""
        others = [o for o in rule.expected.options if o.lower() != suggestion.lower()]
        alternatives = tuple(Alternative(match_case(observed, o), round(confidence / (2 + k), 4))
                             for k, o in enumerate(others))
        evidence = {
            "expected": rule.expected.raw,
            "num_papers": rule.num_papers,
            "context": context,
            "uncertain": rule.expected.uncertain,
            "inflected": inflected,
        }
        return Finding(Span(start, end), observed, suggestion, FindingKind.FINGERPRINT,
                       round(confidence, 4), alternatives, evidence, rule.query)


_CACHE_VERSION = "1"


def _cache_path(raw: bytes, whitelist: list[str]) -> Path | None:
    from ..config import cache_dir

    digest = hashlib.sha1(raw + b"\0" + "\n".join(whitelist).encode() + _CACHE_VERSION.encode()).hexdigest()
    return cache_dir() / "fingerprints" / f"{digest[:20]}.pickle"


def _write_cache(path: Path, matcher: "FingerprintMatcher") -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with open(partial, "wb") as fh:
            pickle.dump(matcher, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    except OSError:
        pass  # read-only cache: compile every time


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # e.g. "İ" lowers to two characters: keep offsets aligned
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    # line breaks and tabs match as spaces; str.replace keeps offsets and, unlike translate, runs at C speed
    for control in ("\n", "\t", "\r"):
        if control in low:
            low = low.replace(control, " ")
    return low


def _rarest(words: tuple[str, ...]) -> str:
    from wordfreq import zipf_frequency

    return min(words, key=lambda w: (zipf_frequency(w, "en"), -len(w)))
