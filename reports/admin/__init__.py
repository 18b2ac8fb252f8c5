from reports.admin import report, sources, users  # noqa: F401  (registers the ModelAdmins)
