"""Take in a county's package in the city deployment: verify its hashes, show what is new or changed since what
the city holds, and write it through the service layer, keeping the county's approvals."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import canonical
from reports.management.database import require_database
from reports.selectors import AgencyLookupError, agency_get_by_name
from reports.services.federation import PackageError, package_import, package_plan, package_read

MAX_PACKAGE_BYTES = 500 * 1024 * 1024


class Command(BaseCommand):
    help = "导入下级区划的年报数据包：核对 SHA-256，列出新增、变化和未变的报告，保留县级的审核结果，全部成功才写入。"

    def add_arguments(self, parser):
        parser.add_argument("package", help="export_package 生成的 .zip 文件")
        parser.add_argument("--sha256", default=None, help="县级告知的 SHA-256（不给时读取同目录的 .sha256 文件）")
        parser.add_argument("--parent", default="", help="本系统尚无该区划时，把它建在哪个上级区划下（名称）")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要发生的变化，不写入")

    def handle(self, *args, package, sha256, parent, dry_run, **options):
        require_database()
        path = Path(package)
        if not path.is_file():
            raise CommandError(f"找不到文件：{package}")
        if path.stat().st_size > MAX_PACKAGE_BYTES:
            raise CommandError("数据包过大，未导入。")
        expected = sha256
        if expected is None:
            sidecar = Path(f"{package}.sha256")
            if not sidecar.is_file():
                raise CommandError("请用 --sha256 给出县级告知的 SHA-256（或把 .sha256 文件放在数据包旁边）。")
            expected = sidecar.read_text(encoding="utf-8").split()[0]
            self.stdout.write(
                self.style.WARNING("使用数据包旁边的 .sha256 文件核对；请再与县级另行告知的 SHA-256 比对。")
            )
        try:
            pkg = package_read(path.read_bytes(), expected_sha256=expected)
            parent_node = agency_get_by_name(parent) if parent else None
            plan = package_plan(pkg, parent=parent_node)
        except (PackageError, AgencyLookupError) as exc:
            raise CommandError(str(exc))
        self.show(plan)
        if dry_run:
            self.stdout.write("（试运行，未写入）")
            return
        try:
            counts = package_import(plan)
        except PackageError as exc:
            raise CommandError(f"未导入任何数据：{exc}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入：新增 {counts['new']} 份，更新 {counts['changed']} 份，未变 {counts['unchanged']} 份；"
                "均按县级审核结果设为已通过。"
            )
        )

    def show(self, plan) -> None:
        m = plan.package.manifest
        self.stdout.write(
            f"数据包：{m['region']['name']} {m['year']} 年度，已通过报告 {m['reports']} 份，"
            f"生成于 {m.get('created_at', '')}；SHA-256 {plan.package.sha256}（已核对）"
        )
        if plan.region is None:
            self.stdout.write(f"新区划：将在“{plan.parent.name}”下新建“{m['region']['name']}”")
        if plan.new_agencies:
            self.stdout.write(f"新机关 {len(plan.new_agencies)} 个：" + "、".join(plan.new_agencies[:20]))
        labels = {"new": "新增", "changed": "变化", "unchanged": "未变"}
        for item in plan.reports:
            line = f"  [{labels[item.action]}] {item.record['agency']}"
            if item.action == "changed":
                parts = []
                if item.changed_keys:
                    shown = "、".join(canonical.short_label(k) for k in item.changed_keys[:5])
                    parts.append(
                        f"{len(item.changed_keys)} 个单元格（{shown}{'等' if len(item.changed_keys) > 5 else ''}）"
                    )
                if item.changed_fields:
                    parts.append("文字：" + "、".join(item.changed_fields))
                if not parts:
                    parts.append("本系统中的状态不是已通过")
                line += "：" + "；".join(parts)
            self.stdout.write(line)
        if plan.missing:
            self.stdout.write("本系统中已通过、但本数据包中没有的报告（保留不动）：" + "、".join(plan.missing[:20]))
