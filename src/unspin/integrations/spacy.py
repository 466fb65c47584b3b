"""unspin as a spaCy pipeline component.

    import spacy
    nlp = spacy.blank("en")                      # or spacy.load("en_core_web_sm")
    nlp.add_pipe("unspin", config={"fingerprints": "pps.csv"})
    doc = nlp(text)
    doc._.spin_probability, doc._.spun, doc._.restored
    for span in doc.spans["unspin"]:
        span.text, span._.suggestion, span._.confidence, span._.alternatives, span._.kind, span._.message

The factory is registered through spaCy's entry points (`spacy_factories` in pyproject.toml), so
`add_pipe("unspin")` works without importing unspin first; importing this module registers it too.
Config: `fingerprints` (a list path; null: $UNSPIN_FINGERPRINTS; false: none), `use_model`,
`thorough` and `lm` (findings from the full restorer, with that model), `threshold` (the spin
probability a document is called spun above), `spans_key`. The engines load on the first document.
Tests may set the component's `screener` / `restorer` attributes to engines of their own.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

DEFAULT_CONFIG: dict[str, Any] = {
    "fingerprints": None, "use_model": True, "thorough": False, "lm": "ngram", "threshold": None,
    "spans_key": "unspin",
}


def _register_extensions() -> None:
    for name, default in (("spin_probability", None), ("spun", None), ("restored", None), ("unspin_reason", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name in ("suggestion", "confidence", "alternatives", "kind", "rule", "message", "short_message"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


class UnspinComponent:
    """Scores each Doc for spinning and marks its tortured phrases as spans."""

    def __init__(self, nlp: Language, name: str, fingerprints: Any, use_model: bool, thorough: bool, lm: str,
                 threshold: float | None, spans_key: str) -> None:
        _register_extensions()
        self.name = name
        self.options = {"use_model": use_model, "thorough": thorough, "lm": lm, "threshold": threshold}
        self.fingerprints = fingerprints
        self.spans_key = spans_key
        self.screener: Any = None
        self.restorer: Any = None
        self._matcher: Any = None
        self._matcher_loaded = False

    def _list(self) -> Any:
        if not self._matcher_loaded:
            from unspin import fingerprint_list

            self._matcher = fingerprint_list(self.fingerprints if self.fingerprints not in ("", None) else None)
            self._matcher_loaded = True
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        from unspin import scan
        from unspin.messages import finding_message, score_reason
        from unspin.text import apply_restoration

        report = scan(doc.text, fingerprints=self._list(), screener=self.screener, restorer=self.restorer,
                      **self.options)
        doc._.spin_probability = report.spin_probability
        doc._.spun = report.spun
        doc._.unspin_reason = score_reason(report.spin_probability, report.spun, report.words, report.findings)
        spans, applied, last_end = [], [], 0
        for f in report.findings:
            span = doc.char_span(f.span.start, f.span.end, alignment_mode="expand")
            if span is None:
                continue
            kind = getattr(f.kind, "value", f.kind)
            words = finding_message(f.observed, f.suggestion, kind, f.rule)
            span._.suggestion, span._.confidence, span._.kind, span._.rule = f.suggestion, f.confidence, kind, f.rule
            span._.alternatives = [(a.text, a.score) for a in f.alternatives]
            span._.message, span._.short_message = words.message, words.short
            spans.append(span)
            if f.suggestion and f.span.start >= last_end:
                applied.append((f.span.start, f.span.end, f.suggestion))
                last_end = f.span.end
        doc.spans[self.spans_key] = spans
        doc._.restored = apply_restoration(doc.text, applied)
        return doc


@Language.factory("unspin", default_config=DEFAULT_CONFIG)
def make_unspin(nlp: Language, name: str, fingerprints: Any, use_model: bool, thorough: bool, lm: str,
                threshold: float | None, spans_key: str) -> UnspinComponent:
    return UnspinComponent(nlp, name, fingerprints, use_model, thorough, lm, threshold, spans_key)


__all__ = ["DEFAULT_CONFIG", "UnspinComponent", "make_unspin"]
