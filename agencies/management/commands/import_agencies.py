"""Load the region tree (province → city → county → townships and departments) from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.regions import RegionFileError, read_rows, regions_import
from reports.management.database import require_database


class Command(BaseCommand):
    help = "从 CSV 文件（行政区划代码、名称、简称、类别、上级代码）导入或更新区划树和机关；全部成功才写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件，例如 agencies/fixtures/regions/huaian.csv")

    def handle(self, *args, file, **options):
        require_database()
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            result = regions_import(read_rows(path.read_bytes()))
        except RegionFileError as exc:
            raise CommandError("未导入任何机关：\n" + "\n".join(exc.problems))
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {path.name}：新建 {len(result.created)} 个，更新 {len(result.updated)} 个，"
                f"未变 {result.unchanged} 个。"
            )
        )
