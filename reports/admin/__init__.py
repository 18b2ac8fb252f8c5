from reports.admin import login, report, sources  # noqa: F401  (registers the ModelAdmins and the login form)
