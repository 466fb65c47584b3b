"""The engine core that restore and scan share: sites, shortlists, LM gains and site features.

    text -> sites (`sites.find_spans`: words and phrases the lexicon knows as a spinner's output)
         -> shortlists (`shortlist`: candidate originals, ranked)
         -> gains (`gains`: language-model gain of each candidate over the observed words)
         -> features (`features.SiteAnalyser`: one feature row per site, its candidates ranked)

The two decision layers sit on top and never import each other: `unspin.restorer` (decide and
apply edits) and `unspin.scanner` (score documents, report findings). `resources` loads the
shared lexicon and models once per process.
"""
