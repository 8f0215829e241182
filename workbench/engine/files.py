"""Which of the paths a user names are article files: folders are expanded, other files are skipped with a note."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ARTICLE_FILE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm"})
# Files that travel with a folder of articles but are not articles, whatever their suffix.
_NOT_ARTICLE_NAMES = frozenset({"readme", "license", "licence", "notice", "changelog", "gold", "copying", "authors"})


@dataclass(frozen=True)
class ArticleFiles:
    """The article files found, in order, and each skipped path with its reason."""

    paths: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        """One line per skipped path, for the user."""
        return [f"skipped {path}: {reason}" for path, reason in self.skipped]


def _why_not_article(path: Path) -> str | None:
    if path.stem.lower() in _NOT_ARTICLE_NAMES:
        return "not an article (a project file)"
    if path.suffix.lower() not in ARTICLE_FILE_SUFFIXES:
        return f"not an article file (articles are {', '.join(sorted(ARTICLE_FILE_SUFFIXES))})"
    return None


def article_files(paths: Sequence[str]) -> ArticleFiles:
    """The files named and the files inside the folders named (sorted, hidden ones ignored), keeping article files
    only. A named path that does not exist is kept, so that reading it reports the error."""
    found: list[str] = []
    skipped: list[tuple[str, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            children = sorted(
                child
                for child in path.rglob("*")
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts)
            )
        elif path.exists():
            children = [path]
        else:
            found.append(given)
            continue
        for child in children:
            reason = _why_not_article(child)
            if reason is None:
                found.append(str(child) if child != path else given)
            else:
                skipped.append((str(child) if child != path else given, reason))
    return ArticleFiles(found, skipped)
