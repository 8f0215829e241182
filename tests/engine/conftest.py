from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
    assert len(paths) == 5, "the five seed articles belong in fixtures/seeds/"
    return paths
