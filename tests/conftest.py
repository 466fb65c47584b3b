import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PPS_CSV = SHARED / "data" / "pps_tortured_phrases.csv"


@pytest.fixture(autouse=True)
def _no_bundled_fingerprints(monkeypatch):
    """Tests choose their fingerprint lists; the bundled one is switched on where it is tested."""
    monkeypatch.setenv("UNSPIN_DEFAULT_FINGERPRINTS", "0")


@pytest.fixture
def fake_restorer():
    from fakes import FakeRestorer

    return FakeRestorer()


@pytest.fixture
def pps_csv():
    if not PPS_CSV.exists():
        pytest.skip(f"{PPS_CSV} not found (../shared is beside the repo in CI)")
    return PPS_CSV


@pytest.fixture
def fake_screener(fake_restorer):
    from fakes import FakeScreener

    return FakeScreener(fake_restorer)
