"""Import a pile of report files (files, folders, zips) from the command line."""

import logging
import multiprocessing
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from agencies.models import Agency
from reports.dbhealth import reconnect_if_broken
from reports.management.database import require_database
from reports.selectors import AgencyLookupError, agency_get_by_name
from reports.services import batch
from reports.services.incoming import sources_orphans_remove
from reports.workers import parse_job

log = logging.getLogger(__name__)
WINDOW = 32


class Command(BaseCommand):
    help = "批量导入年报文件（文件、文件夹或 zip）。重复运行不会重复导入。有文件失败时退出码非零。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--dry-run", action="store_true", help="只预览将会发生什么，不写入数据库")
        parser.add_argument("--agency", help="指定机关（全称、简称或别名），覆盖文件中读出的机关")
        parser.add_argument("--year", type=int, help="指定年度，覆盖文件中读出的年度")
        parser.add_argument("--yes", action="store_true", help="不提问，直接导入")
        parser.add_argument("--create-agencies", action="store_true", help="找不到机关时按报告中的名称新建")
        parser.add_argument(
            "--kind",
            default=None,
            choices=Agency.Kind.values,
            help="新建机关的类别（默认：按名称判断——乡/镇/街道、局/委/办等、县政府，否则为其他）",
        )
        parser.add_argument("--jobs", type=int, default=2, help="并行解析的进程数（默认 2）")

    def handle(self, *args, paths, dry_run, agency, year, yes, create_agencies, kind, jobs, **options):
        require_database()
        if not dry_run:  # files an earlier run wrote before it was killed, without their database rows
            orphans = sources_orphans_remove(older_than=timedelta(minutes=settings.NIANBAO_ORPHAN_GRACE_MINUTES))
            if orphans:
                self.stdout.write(f"（已删除此前中断的导入留下的 {len(orphans)} 个无记录文件）")
        self.override_agency = None
        if agency:
            try:  # the same lookup as export_report: full name, short name, alias or a unique part of one
                self.override_agency = agency_get_by_name(agency)
            except AgencyLookupError as exc:
                raise CommandError(str(exc))
        self.year, self.create_agencies, self.kind = year, create_agencies, kind
        interactive = not yes and not dry_run
        if interactive and not sys.stdin.isatty():
            raise CommandError("非交互环境请加 --yes（直接导入）或 --dry-run（只预览）。")
        if interactive:
            self.stdout.write("预览：")
            self.run(paths, jobs, write=False)
            if input("确认导入以上文件？[y/N] ").strip().lower() not in ("y", "yes", "是"):
                self.stdout.write("已取消，未写入任何数据。")
                return
        counts = self.run(paths, jobs, write=not dry_run)
        summary = "，".join(f"{k} {v}" for k, v in counts.items() if v)
        self.stdout.write(f"完成：{summary or '没有文件'}" + ("（预览，未写入）" if dry_run or not counts else ""))
        if counts.get("失败"):
            raise CommandError(f"{counts['失败']} 个文件失败。", returncode=1)

    def run(self, paths, jobs, *, write):
        counts = {"新建": 0, "更新": 0, "跳过": 0, "失败": 0}
        skipped: list = []
        files = batch.collect_paths(paths, skipped=skipped)
        # forkserver: workers are clean processes that import only the pure parser (no Django, no DB sockets).
        # A sliding window keeps both parser processes busy while this process writes to the database, and
        # bounds memory to WINDOW documents in flight.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context) as pool:
            pending: deque = deque()
            for incoming in files:
                pending.append((incoming, pool.submit(parse_job, (incoming.name, incoming.data, incoming.error))))
                if len(pending) >= WINDOW:
                    counts[self.finish(pending.popleft(), write)] += 1
            while pending:
                counts[self.finish(pending.popleft(), write)] += 1
        if skipped:
            kinds = "、".join(sorted({p.suffix.lower() or "无扩展名" for p in skipped}))
            self.stdout.write(f"（文件夹中 {len(skipped)} 个不是年报格式的文件未读取：{kinds}）")
        return counts

    def finish(self, job, write):
        incoming, future = job
        parsed, error = future.result()
        try:
            item = batch.preview(incoming, parsed=parsed, error=error, agency=self.override_agency, year=self.year)
            return self.handle_one(item, write)
        except DatabaseError as exc:  # a conflict or a lost connection: this file failed, the batch goes on
            log.exception("import_reports: %s failed on the database", incoming.name)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.stdout.write(self.style.ERROR(f"✖ 失败  {incoming.name}：数据库错误，该文件未导入（{first}）"))
            reconnect_if_broken()  # the next file gets a fresh connection if this one died
            return "失败"

    def handle_one(self, item, write):
        name = item.incoming.name
        if item.action == "failed":
            self.stdout.write(self.style.ERROR(f"✖ 失败  {name}：{item.error}"))
            return "失败"
        create = ""
        if item.action == "needs_agency":
            candidates = "、".join(a.name for a in item.match.candidates) if item.match else ""
            # Never create a near-duplicate of an agency that is probably the one meant.
            strong = bool(item.match and item.match.strong)
            if not (self.create_agencies and item.parsed.agency and not strong):
                hint = f"候选：{candidates}；" if candidates else ""
                self.stdout.write(
                    self.style.ERROR(
                        f"✖ 失败  {name}：找不到机关“{item.parsed.agency or '（未写明）'}”（{hint}"
                        "可用 --agency 指定" + ("" if strong else "，或加 --create-agencies 新建") + "）"
                    )
                )
                return "失败"
            create = item.parsed.agency
        counts = f"错误 {sum(i.severity == 'error' for i in item.issues)}，警告 {sum(i.severity == 'warning' for i in item.issues)}"
        kind = self.kind or item.suggested_kind
        target = f"{item.agency or create} {item.year}"
        if item.action == "skip":
            self.stdout.write(f"= 跳过  {name} → {target}：相同文件已导入")
            return "跳过"
        if item.action == "locked":
            self.stdout.write(self.style.ERROR(f"✖ 失败  {name} → {target}：报告已通过并锁定，需先重新打开"))
            return "失败"
        if not write:
            verb = "新建" if item.action in ("create", "needs_agency") else "更新"
            extra = "（将新建机关）" if create else ""
            self.stdout.write(f"· {verb}  {name} → {target}{extra}（{counts}）")
            return verb
        try:
            result = batch.import_preview(item, create_agency=create, agency_kind=kind)
        except (ValidationError, PermissionDenied) as exc:
            reason = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.stdout.write(self.style.ERROR(f"✖ 失败  {name}：{reason}"))
            return "失败"
        except OSError as exc:  # MEDIA_ROOT not writable, disk full
            log.exception("import_reports: %s could not be stored", name)
            self.stdout.write(self.style.ERROR(f"✖ 失败  {name}：无法保存文件，该文件未导入（{exc.strerror or exc}）"))
            return "失败"
        verb = {"created": "新建", "updated": "更新", "skipped": "跳过"}[result.action]
        mark = {"新建": "✔", "更新": "↻", "跳过": "="}[verb]
        # the stored report's counts: a new version is merged with what the report held (hand corrections kept)
        report = result.report
        report.refresh_from_db(fields=["error_count", "warning_count"])
        self.stdout.write(
            f"{mark} {verb}  {name} → {result.message}（错误 {report.error_count}，警告 {report.warning_count}）"
        )
        if warning := item.other_agency_warning(report.agency):
            self.stdout.write(self.style.WARNING(f"  ⚠ {warning}"))
        return verb
