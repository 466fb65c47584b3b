"""Statistics of one spinning, word by word: a copy of the project's `shared/tools/spin_stats.py`
(the same algorithm and figures), so the benchmark and `unspin bench spin` can report them on a
machine without ../shared. tests/bench/test_spin_stats.py checks it against the shared script.

  replaced     share of the clean text's words that the spinner replaced
  spans        swap spans (a maximal run of changed words, either side)
  multiword    share of spans with more than one word on either side
  function     share of spans whose clean side is only function words ("in the", "will")
  capitalised  share of spans touching a capitalised word that does not start a sentence
  determinism  of clean words replaced at least once and seen 2+ times, the share that got the
               same output at every occurrence
  survivors    share of those deterministic words that still occur unreplaced somewhere

A real content-farm spinner on a 554-word news article (REAL_SPINNER below).
"""

import difflib
import re
from collections import Counter, defaultdict

FUNCTION = set("""a an the of to in on at by for with from into onto upon about over under after before
during since until within without and or but nor so yet if as than then though although because while
whereas is are was were be been being am do does did have has had will would shall should can could may
might must ought it its this that these those he she they we you i his her their our your my me him them
us not no also very just more most less much many some any each both all every other such own same too
there here what which who whom whose when where why how one""".split())
TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")

def tokens(text):
    out, start = [], True
    for m in TOKEN.finditer(text):
        w = m.group()
        out.append((w, start))
        start = w in ".!?\n" or (w in "\"“”" and start)
        if text[m.end():m.end() + 2].startswith("\n"): start = True
    return out

def stats(clean, spun):
    a, b = tokens(clean), tokens(spun)
    sm = difflib.SequenceMatcher(a=[w.lower() for w, _ in a], b=[w.lower() for w, _ in b], autojunk=False)
    spans, outputs, replaced = [], defaultdict(Counter), 0
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for w, _ in a[i1:i2]: outputs[w.lower()]["="] += 1
            continue
        src, dst = a[i1:i2], b[j1:j2]
        spans.append((src, dst)); replaced += sum(1 for w, _ in src if w[0].isalnum())
        if len(src) == 1 and len(dst) == 1: outputs[src[0][0].lower()][dst[0][0].lower()] += 1
    words = sum(1 for w, _ in a if w[0].isalnum()) or 1
    n = len(spans) or 1
    multi = sum(1 for s, d in spans if len(s) > 1 or len(d) > 1)
    func = sum(1 for s, d in spans if s and all(w.lower() in FUNCTION for w, _ in s))
    cap = sum(1 for s, d in spans if any(w[:1].isupper() and not st for w, st in s + d))
    rep = {w: c for w, c in outputs.items() if sum(v for k, v in c.items() if k != "=") and sum(c.values()) >= 2}
    det = [w for w, c in rep.items() if len([k for k in c if k != "="]) == 1]
    surv = [w for w in det if rep[w]["="]]
    return {"words": words, "replaced": round(replaced / words, 3), "spans": len(spans),
            "multiword": round(multi / n, 3), "function": round(func / n, 3), "capitalised": round(cap / n, 3),
            "determinism": round(len(det) / len(rep), 3) if rep else None,
            "survivors": round(len(surv) / len(det), 3) if det else None}

REAL_SPINNER = {"replaced": 0.231, "spans": 101, "multiword": 0.257, "function": 0.158, "capitalised": 0.139,
                "determinism": 0.933, "survivors": 0.357}
