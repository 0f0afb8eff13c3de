from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
NINETY_FOUR = SAMPLES / "2024-shangye-laogan.toml"


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES
