from reports.admin import api_tokens, login, report, sources, users  # noqa: F401  (registers the ModelAdmins and the login form)
