"""The REST API under /api/ (Django REST framework): read agencies, reports, their 200 cells, issues and history;
write a report's cells and hand it in — through the same services, scoping, lock and workflow as the admin."""
