"""Export the county workbook (汇总表) of one year: 汇总, 未报送, 问题清单, 说明 and one sheet per agency."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from reports.choices import ReportStatus
from reports.exports.output import OutputError, check_xlsx_path, write_atomically
from reports.exports.summary import MAX_AGENCY_SHEETS, EmptyExport, write_summary
from reports.filtersets import ReportFilterSet
from reports.management.database import require_database
from reports.models import Report

UNKNOWN_CHOICE = "未知的{what}：{value}（可选：{options}）。"
NOTHING = "{year} 年度没有符合条件的报告{filters}，未生成文件。"


def _choice(value: str, choices, what: str) -> str:
    for key, label in choices:
        if value in (key, label):
            return key
    options = "、".join(f"{key}（{label}）" for key, label in choices)
    raise CommandError(UNKNOWN_CHOICE.format(what=what, value=value, options=options))


def filters_text(kinds: list[str], statuses: list[str]) -> str:
    parts = []
    if kinds:
        parts.append("类别：" + "、".join(AgencyKind(k).label for k in kinds))
    if statuses:
        parts.append("状态：" + "、".join(ReportStatus(s).label for s in statuses))
    return "；".join(parts)


class Command(BaseCommand):
    help = "导出某年度的全县汇总表（Excel）：汇总、未报送、问题清单、说明和各机关官方格式表。"

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int, help="年度，例如 2023")
        parser.add_argument("--kind", nargs="+", default=[], help="机关类别（township、department… 或中文名称）")
        parser.add_argument("--status", nargs="+", default=[], help="报告状态（approved、submitted… 或中文名称）")
        parser.add_argument("--output", required=True, help="输出文件（.xlsx）")
        parser.add_argument(
            "--region",
            default="",
            help="区划或机关名称（全称、简称或别名）：导出该区划的汇总表，每个直属下级一张表，只计已通过的报告",
        )
        parser.add_argument(
            "--max-agency-sheets",
            type=int,
            default=MAX_AGENCY_SHEETS,
            help=f"机关数不超过此数时逐一生成各机关官方格式表（默认 {MAX_AGENCY_SHEETS}）",
        )

    def handle(self, *args, year, kind, status, output, max_agency_sheets, region, **options):
        require_database()
        if region:
            if kind or status:
                raise CommandError("--region 汇总只计已通过的报告，不能同时指定 --kind 或 --status。")
            self.export_region(region, year, output, max_agency_sheets)
            return
        kinds = [_choice(k, AgencyKind.choices, "机关类别") for k in kind]
        statuses = [_choice(s, ReportStatus.choices, "报告状态") for s in status]
        try:
            check_xlsx_path(output)
        except OutputError as exc:
            raise CommandError(str(exc))
        filterset = ReportFilterSet({"year": year, "kind": kinds, "status": statuses}, queryset=Report.objects.all())
        if not filterset.is_valid():
            raise CommandError(f"筛选条件无效：{filterset.errors.as_text()}")
        text = filters_text(kinds, statuses)
        reports = filterset.qs
        if not reports.exists():
            raise CommandError(NOTHING.format(year=year, filters=f"（{text}）" if text else ""))
        agencies = Agency.objects.filter(is_active=True)
        if kinds:
            agencies = agencies.filter(kind__in=kinds)
        try:
            result = write_atomically(
                output,
                lambda stream: write_summary(
                    year=year,
                    reports=reports,
                    agencies=agencies,
                    submissions=Report.objects.filter(year=year),
                    target=stream,
                    filters_text=text,
                    max_agency_sheets=max_agency_sheets,
                    exported_at=timezone.localtime(),
                ),
            )
        except (EmptyExport, OutputError) as exc:
            raise CommandError(str(exc))
        sheets = "（机关较多，未生成各机关表）" if result.sheets_omitted else f"，各机关表 {result.agency_sheets} 张"
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {year} 年度汇总表到 {output}：报告 {result.reports} 份{sheets}，"
                f"未报送 {result.missing} 个，未解决问题 {result.issues} 条。"
            )
        )

    def export_region(self, name: str, year: int, output: str, max_sheets: int) -> None:
        from reports.exports.rollup import reports_of_branch, write_rollup
        from reports.rollup import rollup_build
        from reports.selectors import AgencyLookupError, agency_get_by_name

        try:
            node = agency_get_by_name(name)
            check_xlsx_path(output)
        except (AgencyLookupError, OutputError) as exc:
            raise CommandError(str(exc))
        ru = rollup_build(node, year)
        if not ru.branches and ru.own_report is None:
            raise CommandError(f"{node.name}没有下级机关，也没有 {year} 年度的本级报告，未生成文件。")
        try:
            sheets = write_atomically(
                output,
                lambda stream: write_rollup(
                    ru,
                    target=stream,
                    reports_of=lambda branch: reports_of_branch(branch, year),
                    max_child_sheets=max_sheets,
                    exported_at=timezone.localtime(),
                ),
            )
        except OutputError as exc:
            raise CommandError(str(exc))
        c = ru.completion
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出{node.name} {year} 年度区划汇总表到 {output}：直属下级 {len(ru.branches)} 个（明细表 {sheets} 张），"
                f"已通过报告 {ru.approved_reports} 份；应报 {c.expected}，已报 {c.submitted}，逾期 {c.overdue}。"
                "汇总只计已通过的报告。"
            )
        )
