from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def seeds_dir() -> Path:
    local = ROOT / "fixtures" / "seeds"
    return local if any(local.glob("*.txt")) else ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(seeds_dir().glob("*.txt"))
    if not paths:
        pytest.skip("seed articles not found")
    return paths
