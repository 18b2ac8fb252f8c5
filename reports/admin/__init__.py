from reports.admin import report, sources  # noqa: F401  (registers the ModelAdmins)
