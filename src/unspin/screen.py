"""Moved to `unspin.scanner.screen` (decision) and `unspin.engine.features` (site features);
this name stays for one release."""

from .engine.features import RAW_FEATURES, SITE_FEATURES, bin_edges, expand_features, site_matrix  # noqa: F401
from .scanner.screen import MIXTURE_RATES, Screener, Screening, SiteModel, document_features, load_screener  # noqa: F401
