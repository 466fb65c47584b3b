"""`bench scan-lofo`: folds keep every copy of a chunk together, the held-out family never reaches
the fit, and the TPR is read at the clean documents' cut (and the technical one's)."""

from unspin.bench.scan_lofo import fold_of, held_out


def _table(family, doc, score, source="news", rate=0.1):
    return {"family": family, "doc": doc, "source": source, "score": score,
            "rate": 0.0 if family == "clean" else rate, "actual_rate": 0.0 if family == "clean" else rate}


def test_every_copy_of_a_chunk_falls_in_one_fold_and_chunks_fill_both():
    folds = {fold_of(_table("clean", doc, 0)) for doc in range(20)}
    assert folds == {0, 1}
    assert all(fold_of(_table("clean", doc, 0)) == fold_of(_table("twohop", doc, 0)) for doc in range(20))


def test_the_held_out_family_is_scored_by_models_fitted_without_it_or_its_fold():
    tables = ([_table("clean", d, 0.1 * (d % 10)) for d in range(40)]
              + [_table("a", d, 0.95) for d in range(40)] + [_table("b", d, 0.5) for d in range(40)])
    fitted_on = []

    def fit(training):
        fitted_on.append(training)
        return lambda t: t["score"]

    result = held_out(tables, "b", fpr=0.0, fit=fit)
    assert len(fitted_on) == 2
    for fold, training in enumerate(fitted_on):
        assert all(t["family"] != "b" and fold_of(t) != fold for t in training)
    # clean scores reach 0.9: at 0% FPR the cut is 0.9, which family b (0.5) never passes
    assert (result["tpr"], result["spun"], result["clean"]) == (0.0, 40, 40)
    assert held_out(tables, "a", fpr=0.0, fit=fit)["tpr"] == 1.0


def test_the_technical_cut_counts_when_it_is_higher_and_lightly_spun_copies_are_left_out():
    tables = ([_table("clean", d, 0.2) for d in range(20)] + [_table("clean", d, 0.8, source="technical") for d in range(20)]
              + [_table("a", d, 0.6) for d in range(20)] + [_table("a", d, 0.99, rate=0.05) for d in range(20, 30)])
    result = held_out(tables, "a", fpr=0.0, fit=lambda training: (lambda t: t["score"]))
    assert result["spun"] == 20  # the copies under 8% swapped are not counted
    assert result["tpr"] == 1.0 and result["tpr_with_technical"] == 0.0
