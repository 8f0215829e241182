"""docs/performance.md is generated from benchmarks/results/*.json, so its figures cannot drift from the results."""

from __future__ import annotations

import json
import shutil

from benchmarks.performance import PAGE, RESULTS_DIR, main, render


def test_the_committed_performance_page_is_the_generators_output():
    assert PAGE.read_text() == render(RESULTS_DIR), "run: python -m benchmarks.performance"
    assert main(["--check"]) == 0


def test_a_changed_result_changes_the_page(tmp_path):
    results = tmp_path / "results"
    shutil.copytree(RESULTS_DIR, results)
    e2e = json.loads((results / "e2e-5000.json").read_text())
    e2e["lost"] = 3
    (results / "e2e-5000.json").write_text(json.dumps(e2e))
    page = render(results)
    assert page != PAGE.read_text()
    assert "3 lost | **no** |" in page
