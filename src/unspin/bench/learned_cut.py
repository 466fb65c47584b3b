"""`unspin bench learned-cut`: does the cut for restoring with a learned lexicon hold on a crawl
restored with the dictionary its own pages give away (`restore --jsonl --learn-from-input`)?

`train-restore --learned-docs` sets that cut (`cut_learned`) on its held-out half, with lexicons
learned from other documents. This checks it where it is used most, on other dev documents: for
each dictionary training family (`families.public`, never the holdout) and density, `--docs` dev
documents past those `train-restore` and `calibrate_learn` draw on, spun by the family, are
deciphered as the crawl's own dictionary and restored with it (learned site model, document prior)
at a low cut; every edit is kept with its probability and whether it is the swap's original. The
report gives the pooled precision and recall at each cut. With `--write`, the lowest cut at or
above the trained one whose pooled precision reaches `--precision` goes into the learned model's
record (`crawl_check`), and restoring with a learned lexicon edits there. The check only raises
the cut: a lower one would also need the clean-text check `train-restore` makes.

With `--lm smollm2` the same crawls are restored by the learned site model with the neural stage
(`restore --jsonl --learn-from-input --lm smollm2`), and the cut checked is the stage's: every
site's stage choice is kept with its probability, beside the site model's own edits, which a
stage edit at the cut replaces where they overlap. `--write` puts the chosen cut, never under the
stage's own, into the stage's record (`learned_crawl_check`; the stage fitted for a learned
lexicon, `train-neural --learned`, where one is shipped); the stage edits there whenever a
learned lexicon is given. `--restore-docs` restores only the first N documents of each crawl (the
stage is slower than the site model), though the dictionary is learned from all of them.

Edits at a higher cut are read off the low-cut run (the sites' probabilities do not depend on the
cut in a document scan flags; elsewhere the second pass's context does), so the figures are close
to, not exactly, what a run at that cut gives: `bench learn-input` gives those.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Sequence

from .train_restore import LEARNED_RECORD_PATH

LOW_CUT = 0.5  # edits are collected from here up
REPORTED_CUTS = tuple(round(0.8 + 0.01 * i, 2) for i in range(19))  # 0.80 ... 0.98, beside the trained and chosen cuts
ScoredEdit = tuple[float, bool]  # (the site model's probability, right)
StagedEdit = tuple[float, int, int, bool]  # (the neural stage's probability, span start, span end, right)
FallbackEdit = tuple[int, int, bool]  # the site model's own edit: (span start, span end, right)
StagedDocument = tuple[list[StagedEdit], list[FallbackEdit]]


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learned-cut", help="check the learned site model's cut on crawls restored with their own dictionary",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=300, help="dev documents per crawl")
    p.add_argument("--skip", type=int, default=610, metavar="N",
                   help="dev documents (learn_scoring.corpus_docs) skipped first: train-restore's lexicons and "
                        "calibrate_learn's pool come before")
    p.add_argument("--precision", type=float, default=0.95, help="pooled edit precision the cut must reach")
    p.add_argument("--densities", nargs="+", default=["dense", "light"], choices=["dense", "light"])
    p.add_argument("--write", action="store_true", help="record the chosen cut in the learned model's record (with --lm smollm2: the stage's)")
    p.add_argument("--jobs", type=int, default=2, help="crawls in parallel")
    p.add_argument("--lm", default="ngram", choices=["ngram", "smollm2"],
                   help="ngram (the learned site model's cut, default) or smollm2 (the neural stage's, which was fitted with SmolLM2)")
    p.add_argument("--restore-docs", type=int, default=None, metavar="N",
                   help="restore only the first N documents of each crawl (default: all; the dictionary is learned from all)")
    p.add_argument("--mixed", action="store_true",
                   help="every other document of each crawl stays clean (its dictionary learned from half as many spun "
                        "pages); an edit on a clean one counts as a wrong edit")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(handler=run)


def crawl_edits(name: str, density: str, docs: int, skip: int, lm: str = "ngram",
                restore_docs: int | None = None, mixed: bool = False) -> dict[str, Any]:
    """One family's crawl of dev documents, deciphered and restored with its own dictionary
    (the first `restore_docs` of them, default all): the site model's edits at `LOW_CUT` and
    over (`edits`), or with a neural `lm` every document's `StagedDocument` (`staged`). `mixed`:
    every other document stays clean, and an edit there counts as a wrong one."""
    from ..learn import default_toolkit
    from ..learn.from_spun import decipher_texts
    from ..restorer.site_model import model_restorer_with, with_neural_stage
    from ..steps import with_scan_prior
    from .families.public import RECIPES
    from .learn_scoring import corpus_docs
    from .restore_scoring import answer_key, restored_right

    family = next(r for r in RECIPES if r.name == name).family(density)
    texts = corpus_docs("dev", skip + docs)[skip:]
    spun = [SimpleNamespace(text=t, swaps=()) if mixed and i % 2 else family.spin(t) for i, t in enumerate(texts)]
    lexicon, _ = decipher_texts(lambda: iter([s.text for s in spun]), default_toolkit(), jobs=1)
    plain = model_restorer_with(lexicon if len(lexicon) else None)
    restored = spun[:restore_docs] if restore_docs else spun
    crawl = {"family": name, "density": density, "mixed": mixed, "documents": len(spun), "restored": len(restored),
             "swaps": sum(len(answer_key(s)) for s in restored), "pairs": len(lexicon), "cut_in_use": plain.cut}
    if lm != "ngram":
        from ..engine import resources

        engine = with_scan_prior(with_neural_stage(plain, resources.neural(lm, "cpu")))
        return crawl | {"staged": [staged_document(engine, s) for s in restored]}
    engine = with_scan_prior(plain)
    edits: list[ScoredEdit] = []
    for s in restored:
        gold = answer_key(s)
        edits += [(e.confidence, restored_right(e, gold)) for e in engine.restore(s.text, LOW_CUT).edits]
    return crawl | {"edits": edits}


def staged_document(engine: Any, spun: Any) -> StagedDocument:
    """A spun document's stage choices at any cut and the site model's own edits, each scored."""
    from .restore_scoring import answer_key, restored_right

    gold = answer_key(spun)
    stage, fallback = engine.staged_edits(spun.text)
    return ([(e.confidence, e.span.start, e.span.end, restored_right(e, gold)) for e in stage],
            [(e.span.start, e.span.end, restored_right(e, gold)) for e in fallback])


def staged_at(docs: Sequence[StagedDocument], swaps: int, cut: float) -> dict[str, Any]:
    """What restore edits with the stage at `cut`: its choices there, and the site model's edits
    that none of them overlaps."""
    right = edits = 0
    for stage, fallback in docs:
        kept = [e for e in stage if e[0] >= cut]
        extra = [f for f in fallback if not any(start < f[1] and f[0] < end for _, start, end, _ in kept)]
        edits += len(kept) + len(extra)
        right += sum(e[3] for e in kept) + sum(f[2] for f in extra)
    return {"cut": cut, "right": right, "edits": edits, "precision": round(right / max(edits, 1), 4),
            "recall": round(right / max(swaps, 1), 4)}


def choose_staged_cut(docs: Sequence[StagedDocument], swaps: int, floor: float, precision: float) -> float | None:
    """The lowest cut >= `floor` at which the stage's edits and the site model's kept ones are at
    least `precision` right (None: none is)."""
    for cut in sorted({e[0] for stage, _ in docs for e in stage if e[0] >= floor} | {floor}):
        m = staged_at(docs, swaps, cut)
        if m["edits"] and m["precision"] >= precision:
            return cut
    return None


def at_cut(edits: Sequence[ScoredEdit], swaps: int, cut: float) -> dict[str, Any]:
    kept = [right for p, right in edits if p >= cut]
    right = sum(kept)
    return {"cut": cut, "right": right, "edits": len(kept), "precision": round(right / max(len(kept), 1), 4),
            "recall": round(right / max(swaps, 1), 4)}


def choose_cut(edits: Sequence[ScoredEdit], floor: float, precision: float) -> float | None:
    """The lowest cut >= `floor` whose edits are at least `precision` right (None: none is)."""
    for cut in sorted({p for p, _ in edits if p >= floor} | {floor}):
        kept = [right for p, right in edits if p >= cut]
        if kept and sum(kept) / len(kept) >= precision:
            return cut
    return None


def _crawl(job: tuple[str, str, int, int, str, int | None, bool]) -> dict[str, Any]:
    return crawl_edits(*job)


@dataclass(frozen=True)
class _Check:
    """Which cut a run checks: the crawls' items it reads (`field`), the figures at a cut, the
    choice, the cut trained before, the cuts reported, and where the chosen one is written."""

    field: str
    at: Callable[[Sequence[Any], int, float], dict[str, Any]]
    choose: Callable[[Sequence[Any], int, float, float], float | None]
    trained: float
    reported: tuple[float, ...]
    record_path: Path
    record_key: str


def _check_for(lm: str) -> _Check:
    if lm == "ngram":
        return _Check("edits", at_cut, lambda edits, swaps, floor, precision: choose_cut(edits, floor, precision),
                      trained_cut(LEARNED_RECORD_PATH), REPORTED_CUTS, LEARNED_RECORD_PATH, "crawl_check")
    from ..restorer.site_model import neural_stage_paths, neural_stage_record

    learned_stage = neural_stage_record(True) is not None  # the stage restore takes with a learned lexicon
    record_path = neural_stage_paths(learned_stage)[1]
    stage_cut = float(json.loads(record_path.read_text(encoding="utf-8"))["metrics_held_out_half"]["cut"])
    return _Check("staged", staged_at, choose_staged_cut, stage_cut, (*(c for c in REPORTED_CUTS if c >= 0.9), 0.99),
                  record_path, "learned_crawl_check")


def run(args: argparse.Namespace) -> int:
    from .families.public import RECIPES

    started = time.perf_counter()
    jobs = [(r.name, density, args.docs, args.skip, args.lm, args.restore_docs, args.mixed)
            for r in RECIPES for density in args.densities]
    with multiprocessing.get_context("fork").Pool(max(1, args.jobs)) as pool:
        crawls = []
        for crawl in pool.imap(_crawl, jobs):
            crawls.append(crawl)
            if not args.quiet:
                print(f"{crawl['family']} {crawl['density']}: {crawl['pairs']} pairs, {crawl['restored']} documents restored",
                      file=sys.stderr, flush=True)
    check = _check_for(args.lm)
    pooled = [item for c in crawls for item in c[check.field]]
    swaps = sum(c["swaps"] for c in crawls)
    chosen = check.choose(pooled, swaps, check.trained, args.precision)
    cuts = sorted({check.trained, *check.reported} | ({chosen} if chosen is not None else set()))
    report = {
        **_header(args, crawls), "trained_cut": check.trained, "precision_asked": args.precision, "cut": chosen,
        "pooled": [check.at(pooled, swaps, c) for c in cuts],
        "by_crawl": [{k: v for k, v in c.items() if k != check.field}
                     | {"at_trained": check.at(c[check.field], c["swaps"], check.trained),
                        "at_chosen": check.at(c[check.field], c["swaps"], chosen or 1.0)} for c in crawls],
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=2))
    if args.write:
        write_check(check.record_path, report, check.record_key)
    return 0


def _header(args: argparse.Namespace, crawls: list[dict[str, Any]]) -> dict[str, Any]:
    command = (f"unspin bench learned-cut --docs {args.docs} --skip {args.skip} --precision {args.precision} "
               f"--densities {' '.join(args.densities)}")
    if args.lm != "ngram":
        command += f" --lm {args.lm}"
    if args.restore_docs:
        command += f" --restore-docs {args.restore_docs}"
    if args.mixed:
        command += " --mixed"
    return {"bench": "learned-cut", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{platform.machine()} cores={os.cpu_count()}", "command": command,
            "data": {"split": "dev", "documents_each": args.docs, "restored_each": args.restore_docs or args.docs,
                     "skipped_first": args.skip, "families": sorted({c["family"] for c in crawls}),
                     "densities": list(args.densities), "mixed": args.mixed, "held_out_family_used": False}}


def trained_cut(record_path: Path) -> float:
    """The cut `train-restore` chose for restoring with a learned lexicon (not one a check raised)."""
    return float(json.loads(record_path.read_text(encoding="utf-8"))["metrics_held_out_half"]["cut_learned"])


def write_check(record_path: Path, report: dict[str, Any], key: str = "crawl_check") -> None:
    """Put the check (cut, command, pooled figures) into a model's record under `key`."""
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record[key] = {k: report[k] for k in ("date", "machine", "command", "data", "trained_cut",
                                                    "precision_asked", "cut", "pooled")}
    record_path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
