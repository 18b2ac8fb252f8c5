"""A county's approved year as one package for the city: workbook + JSON of every report, signed by SHA-256."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.management.database import require_database
from reports.selectors import AgencyLookupError, agency_get_by_name
from reports.services.federation import PackageError, package_build


def _write_atomically(target: Path, data: bytes) -> None:
    if not target.parent.resolve().is_dir():
        raise CommandError(f"目录不存在：{target.parent}")
    fd, tmp = tempfile.mkstemp(prefix=".nianbao-", suffix=".zip", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "把某区划某年度已通过的年报导出为一个数据包（汇总表 + 全部数据的 JSON），并给出 SHA-256 供上级核对。"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划名称（全称、简称或别名），例如 洪泽区")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True, help="输出文件（.zip）")

    def handle(self, *args, region, year, output, **options):
        require_database()
        if not output.lower().endswith(".zip"):
            raise CommandError("数据包文件名应以 .zip 结尾。")
        try:
            node = agency_get_by_name(region)
            data, manifest = package_build(region=node, year=year, exported_by="export_package")
            _write_atomically(Path(output), data)
        except (AgencyLookupError, PackageError, OSError) as exc:
            raise CommandError(str(exc))
        from reports.services.federation import sha256_hex

        digest = sha256_hex(data)
        Path(f"{output}.sha256").write_text(f"{digest}  {Path(output).name}\n", encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出{node.name} {year} 年度数据包到 {output}：已通过报告 {manifest['reports']} 份。\n"
                f"SHA-256：{digest}\n请通过另一渠道（公文、电话）把这个 SHA-256 告知上级，上级导入时核对。"
            )
        )
