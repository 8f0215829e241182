"""Benchmarks: speed, memory and load goals measured outside the test suite."""

from __future__ import annotations

import json
from pathlib import Path


def results_write(path: str | Path, results) -> None:
    """Write a run's results as indented JSON, creating the folder it goes in."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
