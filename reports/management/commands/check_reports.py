"""Check stored reports (and store their issues), or check files without saving them."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from agencies.services import agency_match
from reports import rules, services
from reports.management.database import database_problem
from reports.models import Job, JobItem, Report
from reports.parsing import ParseError, parse_document
from reports.selectors import AgencyLookupError, agency_get_by_name
from reports.services import jobs

SEVERITY_MARK = {"error": "✖", "warning": "⚠", "info": "ℹ"}
BATCH = 500


def _part(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise CommandError(f"--part 应写成 K/N，例如 1/2：{text}", returncode=2)
    if not 1 <= k <= n:
        raise CommandError(f"--part 的 K 应在 1 到 N 之间：{text}", returncode=2)
    return k, n


class Command(BaseCommand):
    help = "按勾稽规则检查年报：检查库中报告（--year/--agency），或不入库地检查文件（--file）。发现错误级问题时退出码为 1。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只检查该年度的报告")
        parser.add_argument("--agency", help="只检查该机关（全称、简称或别名）")
        parser.add_argument("--file", nargs="+", metavar="PATH", help="检查文件（先解析，不保存）")
        parser.add_argument(
            "--part",
            metavar="K/N",
            help="只检查第 K 份（共 N 份，按报告编号划分），可在多台机器或多个进程上并行运行，例如 1/2 和 2/2",
        )
        parser.add_argument("--json", action="store_true", help="每份报告输出一行 JSON")
        parser.add_argument("--quiet", action="store_true", help="只输出汇总")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="作为后台任务运行：按每块 NIANBAO_CHECK_CHUNK 份报告分给各 worker 并行检查，等待完成后输出汇总",
        )

    def handle(
        self, *args, year=None, agency=None, file=None, part=None, json=False, quiet=False, queue=False, **options
    ):
        self.as_json, self.quiet = json, quiet
        self.part = _part(part) if part else None
        self.problem = database_problem()
        if self.problem and not file:
            raise CommandError(self.problem, returncode=2)
        if queue:
            if file or agency or json or part:
                raise CommandError(
                    "--queue 只用于检查库中某年度（或全部）的报告，不能与 --file、--agency、--json、--part 同用"
                    "（后台任务已把报告分块交给各 worker）。"
                )
            found_error = self.check_queued(year)
            if found_error:
                raise CommandError("发现错误级问题。", returncode=1)
            return
        if file:
            found_error, failed = self.check_files(file)
        else:
            found_error, failed = self.check_stored(year, agency), False
        if failed:
            raise CommandError("部分文件无法读取。", returncode=2)
        if found_error:
            raise CommandError("发现错误级问题。", returncode=1)

    def check_stored(self, year, agency_name):
        qs = Report.objects.select_related("agency").order_by("year", "agency__name", "pk")
        if year:
            qs = qs.filter(year=year)
        if agency_name:
            try:  # the same lookup as export_report: full name, short name, alias or a unique part of one
                qs = qs.filter(agency=agency_get_by_name(agency_name))
            except AgencyLookupError as exc:
                raise CommandError(str(exc), returncode=2)
        if self.part:
            k, n = self.part
            qs = qs.annotate(nb_part=F("pk") % n).filter(nb_part=k - 1)
        config = services.rule_config()
        any_error, total = False, {"reports": 0, "error": 0, "warning": 0, "info": 0}
        ids = list(qs.values_list("pk", flat=True))
        skipped = 0
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            result = services.reports_check(chunk, config=config)
            skipped += len(result.skipped)
            by_id = {r.pk: r for r in result.reports}
            for pk in chunk:  # in the listing's order
                report = by_id.get(pk)
                if report is None:
                    continue
                issues = result.found[pk]
                total["reports"] += 1
                for i in issues:
                    total[i.severity] += 1
                any_error |= report.error_count > 0
                self.emit({"report": str(report), "report_id": report.pk}, issues)
        if skipped:
            self.stderr.write(f"{skipped} 份报告在检查时正被修改，已跳过（保存时会自动重新校验）。")
        if not self.as_json:
            self.stdout.write(
                f"共检查 {total['reports']} 份报告：错误 {total['error']}，警告 {total['warning']}，提示 {total['info']}"
            )
        return any_error

    def check_queued(self, year):
        """The year's check as a background job: chunks of reports shared by the workers; progress printed."""
        job = jobs.check_job_start(year=year)
        total = job.items.count()
        last = -1
        while True:
            job.refresh_from_db()
            done = job.items.exclude(state=JobItem.State.PENDING).count()
            if done != last and not self.quiet:
                self.stderr.write(f"已检查 {done}/{total} 块")
                last = done
            if job.phase == Job.Phase.DONE:
                break
            time.sleep(0.5)
        r = job.result
        self.stdout.write(
            f"共检查 {r['reports']} 份报告：错误 {r['error']}，警告 {r['warning']}，提示 {r['info']}"
            f"（{r['with_errors']} 份报告有错误级问题）"
        )
        return r["with_errors"] > 0

    def check_files(self, paths):
        any_error = failed = False
        config = services.rule_config()
        if self.problem:  # a clerk's pre-check needs no database: only the comparisons with stored reports are lost
            self.stderr.write(f"注意：{self.problem}本次检查不与库中的上年报告比较，也不按机关类别检查。")
        for name in paths:
            path = Path(name)
            try:
                parsed = parse_document(path.read_bytes(), path.name)
            except OSError as exc:
                failed = True
                self.error_line(path.name, "unreadable", f"无法打开文件（{exc.strerror}）")
                continue
            except ParseError as exc:
                failed = True
                self.error_line(path.name, exc.code, exc.message)
                continue
            agency = None if self.problem else agency_match(parsed.agency).agency
            previous = None
            if agency is not None and parsed.year:
                prev = Report.objects.filter(agency=agency, year=parsed.year - 1).first()
                previous = services.report_facts(prev) if prev is not None else None
            facts = rules.ReportFacts.from_parsed(
                parsed,
                agency_kind=agency.kind if agency else None,
                has_rulemaking_power=True if agency and agency.has_rulemaking_power else None,
                previous=previous,
            )
            issues = rules.evaluate(facts, config)
            any_error |= any(i.severity == "error" for i in issues)
            self.emit({"source": path.name}, issues, parsed=parsed)
        return any_error, failed

    def emit(self, head, issues, parsed=None):
        if self.as_json:
            self.stdout.write(json.dumps({**head, "issues": [i.to_json() for i in issues]}, ensure_ascii=False))
            return
        counts = {s: sum(1 for i in issues if i.severity == s) for s in ("error", "warning", "info")}
        name = head.get("report") or head.get("source")
        self.stdout.write(f"{name}：错误 {counts['error']}，警告 {counts['warning']}，提示 {counts['info']}")
        if self.quiet:
            return
        for issue in issues:
            self.stdout.write(f"  {SEVERITY_MARK[issue.severity]} {issue.rule} {issue.message}")

    def error_line(self, name, code, reason):
        if self.as_json:  # the same shape as parse_report --json
            error = {"code": code, "message": reason}
            self.stdout.write(json.dumps({"source": name, "error": error}, ensure_ascii=False))
        else:
            self.stderr.write(f"{name}：{reason}")
