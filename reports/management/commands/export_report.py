"""Export one report in the official layout (表二, 表三, 表四 as in the 2021 template) to an .xlsx file."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.exports.official import report_workbook
from reports.exports.output import OutputError, write_atomically
from reports.management.database import require_database
from reports.models import Report
from reports.selectors import AgencyLookupError, agency_get_by_name, report_values

NO_REPORT = "“{agency}”没有 {year} 年度的报告（已有年度：{years}）。"


class Command(BaseCommand):
    help = "按 2021 版官方格式导出一份年报（表二、表三、表四）到 Excel 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="机关全称、简称、别名，或只匹配一个机关的名称片段")
        parser.add_argument("--year", required=True, type=int, help="年度，例如 2023")
        parser.add_argument("--output", required=True, help="输出文件（.xlsx）")

    def handle(self, *args, agency, year, output, **options):
        require_database()
        try:
            found = agency_get_by_name(agency)
        except AgencyLookupError as exc:
            raise CommandError(str(exc))
        report = Report.objects.select_related("agency").filter(agency=found, year=year).first()
        if report is None:
            years = "、".join(str(y) for y in found.reports.order_by("year").values_list("year", flat=True)) or "无"
            raise CommandError(NO_REPORT.format(agency=found.name, year=year, years=years))
        workbook = report_workbook(report, report_values(report), exported_at=timezone.localtime())
        try:
            write_atomically(output, workbook.save)
        except OutputError as exc:
            raise CommandError(str(exc))
        self.stdout.write(self.style.SUCCESS(f"已导出 {report}（{report.get_status_display()}）到 {output}"))
