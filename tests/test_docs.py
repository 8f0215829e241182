"""The documentation: a short README that links every page under docs/, links that resolve, and the measured
figures of docs/performance.md (generated from benchmarks/results/) stated nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
README = REPO_DIR / "README.md"
DOCS = REPO_DIR / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
FIGURE = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")  # a measured figure: a number with decimals


def links(page: Path) -> set[Path]:
    return {
        (page.parent / target).resolve()
        for target in LINK.findall(page.read_text())
        if not target.startswith(("http://", "https://", "mailto:"))
    }


def test_the_readme_is_a_short_page():
    assert len(README.read_text().splitlines()) <= 150


def test_the_readme_links_every_page_of_the_docs_folder():
    linked = links(README)
    for page in PAGES:
        assert page in linked or page.parent in linked, f"README.md does not link {page.relative_to(REPO_DIR)}"


def test_every_relative_link_resolves():
    for page in [README, *PAGES]:
        for target in links(page):
            assert target.exists(), f"{page.relative_to(REPO_DIR)} links {target} which does not exist"


def test_no_figure_of_the_performance_page_is_stated_again_elsewhere():
    figures = set(FIGURE.findall((DOCS / "performance.md").read_text()))
    assert figures
    for page in [README, *PAGES]:
        if page.name != "performance.md":
            repeated = figures & set(FIGURE.findall(page.read_text()))
            assert not repeated, f"{page.relative_to(REPO_DIR)} repeats {sorted(repeated)} from performance.md"
