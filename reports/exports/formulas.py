"""One rule for every spreadsheet cell the project writes: text that a spreadsheet would run as a formula is inert.

A name, a change reason or a comment typed as "=HYPERLINK(…)", "=cmd|' /C calc'!A0", "+1+1", "-2+3" or "@SUM(…)"
must never become a live formula in the reviewer's Excel (OWASP: CSV injection). In CSV the text gets a leading
apostrophe (neutralise); in .xlsx the cell is stored as text with Excel's quote prefix (the same as typing a
leading apostrophe: shown exactly as written, still text when edited), so the value itself stays exact.
"""

from __future__ import annotations

from typing import Any

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (or a DDE call).
TRIGGERS = frozenset("=+-@\t\r\n")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.lstrip(" ")[:1] in TRIGGERS and value.strip() != "-"


def neutralise(value: Any) -> Any:
    """For CSV: the text with a leading apostrophe when it would start a formula; anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def unneutralise(value: Any) -> Any:
    """Read back a cell this project wrote to CSV: the apostrophe it added comes off again."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value
