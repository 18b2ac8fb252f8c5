"""What the import preview shows is what the report gets: for every labelled document, the rule issues the
preview evaluates on the parsed document are the issues stored on the report once it is imported (the same
rules, severities and cells) — a spreadsheet's tables-only reading and the cells that could not be read
included."""

import pytest

from agencies.services import agency_create
from reports.rules import guess_agency_kind
from reports.services import batch
from reports.services.records import report_set_values
from reports.services.validation import report_validate
from tests.factories import FIXTURES

pytestmark = pytest.mark.django_db

DOCS = sorted((FIXTURES / "samples").glob("*.txt")) + sorted(
    p for p in (FIXTURES / "corpus").rglob("*") if p.is_file() and p.suffix not in (".json", ".md")
)
NEEDS_SOFFICE = (".doc", ".wps")


def _issues(issues):
    return sorted((i.rule, i.severity, tuple(i.keys)) for i in issues)


def _import(doc):
    incoming = batch.Incoming(doc.name, doc.read_bytes())
    parsed, error = batch.parse_incoming(incoming)
    if parsed is None and doc.suffix in NEEDS_SOFFICE:
        pytest.skip(error)
    assert parsed is not None, error
    agency_create(name=parsed.agency, kind=guess_agency_kind(parsed.agency) or "other")
    item = batch.preview(incoming, parsed=parsed)
    return item, batch.import_preview(item).report


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_preview_issues_are_the_stored_issues(doc):
    item, report = _import(doc)
    assert _issues(report.issues.all()) == _issues(item.issues)


def test_an_unread_cell_stops_being_unread_once_typed_in():
    item, report = _import(FIXTURES / "corpus" / "generated" / "r08_txt_layout.txt")
    (unread,) = [i for i in report.issues.all() if i.rule == "R15" and i.keys]
    key = unread.keys[0]
    assert key in report.unread_keys
    report_set_values(report=report, values={key: 0})
    report_validate(report=report)
    (still,) = [i for i in report.issues.all() if i.rule == "R15" and i.keys]
    assert key not in still.keys and len(still.keys) == len(unread.keys) - 1
