"""Errors that carry a message meant for the person who sent the input."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of the errors the workbench reports to its users, as one line."""


class IngestError(WorkbenchError, ValueError):
    """The content cannot become an article: empty, binary, undecodable, too large, or no body."""
