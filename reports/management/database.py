"""A clear message instead of a traceback when a command runs before `migrate` or without a reachable database."""

from __future__ import annotations

import logging

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

log = logging.getLogger(__name__)

NOT_MIGRATED = "数据库尚未初始化（有未执行的迁移）：请先运行 python manage.py migrate（make run 会自动执行）。"
UNREACHABLE = "无法连接数据库（请检查 DATABASE_URL）：{error}"


def database_problem(alias: str = DEFAULT_DB_ALIAS) -> str:
    """ "" when the database is reachable and fully migrated, else a Chinese message saying what to do."""
    connection = connections[alias]
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        log.warning("database %s unreachable: %s", alias, exc)
        return UNREACHABLE.format(error=str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if pending:
        log.warning("database %s has %d unapplied migrations", alias, len(pending))
        return NOT_MIGRATED
    return ""


def require_database() -> None:
    problem = database_problem()
    if problem:
        raise CommandError(problem)
