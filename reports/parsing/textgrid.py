"""Placeholder until the text engine lands."""

from __future__ import annotations

from reports.parsing.document import Document
from reports.parsing.rows import TableRows


def read_text(doc: Document, wanted: set[str]) -> TableRows:
    return TableRows()
