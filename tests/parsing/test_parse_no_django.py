"""The parser is pure Python: importing it (and parsing a report) loads no Django module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
import reports.parsing
from reports.parsing import parse_document
parse_document("tests/fixtures/samples/002_cff4ace8f11033c3.txt")
parse_document("tests/fixtures/corpus/generated/r02_docx.docx")
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(loaded)
sys.exit(1 if loaded else 0)
"""


def test_reports_parsing_imports_no_django() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "[]"


def test_reports_package_init_stays_empty() -> None:
    assert (ROOT / "reports" / "__init__.py").read_text().strip() == ""
