"""The service layer: the only code that writes reports. Keyword-only `<entity>_<action>` functions."""

from reports.services.comments import cell_comment_add, cell_comment_resolve
from reports.services.confirmations import cells_confirm, pending_cells
from reports.services.imports import (
    DiffRow,
    ImportResult,
    parsed_values_of,
    report_import,
    report_source_diff,
    report_take_source_values,
    sha256_of,
    source_document_add,
)
from reports.services.locking import report_lock
from reports.services.records import (
    EditConflict,
    ReportUpdate,
    mark_label,
    report_create,
    report_delete,
    report_ensure_rows,
    report_set_values,
    report_update,
    values_equal,
)
from reports.services.validation import (
    facts_for_reports,
    issue_accept,
    issue_unaccept,
    report_facts,
    report_validate,
    reports_check,
    reports_validate,
    rule_config,
)
from reports.services.workflow import TRANSITIONS, report_transition, transitions_for

__all__ = [
    "cells_confirm",
    "pending_cells",
    "EditConflict",
    "ReportUpdate",
    "mark_label",
    "report_lock",
    "report_update",
    "cell_comment_add",
    "cell_comment_resolve",
    "DiffRow",
    "report_source_diff",
    "report_take_source_values",
    "TRANSITIONS",
    "report_transition",
    "transitions_for",
    "ImportResult",
    "facts_for_reports",
    "issue_accept",
    "issue_unaccept",
    "report_facts",
    "report_validate",
    "reports_check",
    "reports_validate",
    "rule_config",
    "values_equal",
    "parsed_values_of",
    "report_create",
    "report_delete",
    "report_ensure_rows",
    "report_import",
    "report_set_values",
    "sha256_of",
    "source_document_add",
]
