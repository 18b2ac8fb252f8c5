"""Unattended first-run setup for `make run`: demo data if the database is empty, and an admin user."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import Agency, NodeStaff
from agencies.regions import read_rows, regions_import
from agencies.services import agency_create, agency_match
from reports.choices import ReportStatus
from reports.models import Report
from reports.parsing import parse_document
from reports.roles import REVIEWER
from reports.services import report_import, report_transition

DEMO_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
COUNTY_REVIEWER = "shixian_shenhe"


class Command(BaseCommand):
    help = "载入示例年报（数据库为空时）并创建管理员账号（没有管理员时），打印登录信息。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--no-demo", action="store_true", help="不载入示例数据")

    def handle(self, *args, username, no_demo, **options):
        if not no_demo and not Report.objects.exists():
            self.load_demo()
        self.ensure_admin(username)

    @transaction.atomic
    def load_demo(self):
        for spec in json.loads((DEMO_DIR / "agencies.json").read_text(encoding="utf-8")):
            if not Agency.objects.filter(name=spec["name"]).exists():
                agency_create(**spec)
        for path in sorted(p for p in DEMO_DIR.iterdir() if p.suffix in (".txt", ".pdf")):
            data = path.read_bytes()
            parsed = parse_document(data, path.name)
            match = agency_match(parsed.agency)
            if match.agency is None:
                self.stderr.write(f"示例文件 {path.name}：未能匹配机关“{parsed.agency}”，已跳过")
                continue
            result = report_import(parsed=parsed, data=data, agency=match.agency)
            self.stdout.write(f"示例数据：{result.message}")
        self.load_tree()

    def load_tree(self):
        """The three-level demo tree (city → two counties → townships and departments), the error-free reports
        approved so the 区划汇总 has figures, and a reviewer of 示例县 who sees only that county."""
        regions_import(read_rows((DEMO_DIR / "regions.csv").read_bytes()))
        approved = 0
        for report in Report.objects.order_by("agency__name", "year"):
            if report.status == ReportStatus.DRAFT:
                report = report_transition(report=report, action="submit")
            try:
                report_transition(report=report, action="approve")
                approved += 1
            except ValidationError:
                pass  # a report with errors stays 已提交 for the reviewer to look at
        self.stdout.write(f"示例数据：区划树 淮安市 → 洪泽区、示例县；无错误的 {approved} 份报告已通过审核。")
        User = get_user_model()
        if not User.objects.filter(username=COUNTY_REVIEWER).exists():
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(username=COUNTY_REVIEWER, password=password, is_staff=True)
            user.groups.add(Group.objects.get(name=REVIEWER))
            NodeStaff.objects.create(user=user, node=Agency.objects.get(name="示例县人民政府"))
            self.stdout.write(f"示例县审核员账号：{COUNTY_REVIEWER}  密码：{password}（只能看到示例县及其下级的年报）")

    def ensure_admin(self, username):
        password_file = Path(settings.NIANBAO_ADMIN_PASSWORD_FILE)
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            user = User.objects.filter(is_superuser=True).order_by("pk").first()
            saved = password_file.read_text().strip() if password_file.exists() else ""
            hint = (
                f"密码：{saved}"
                if saved and user.check_password(saved)
                else "密码：（已修改；忘记时运行 python manage.py changepassword）"
            )
            self.stdout.write(self.style.SUCCESS(f"管理员账号：{user.get_username()}  {hint}"))
            return
        password = secrets.token_urlsafe(9)
        User.objects.create_superuser(username=username, email="", password=password)
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"已创建管理员账号：{username}  密码：{password}"))
        self.stdout.write(f"（密码同时保存在 {password_file.resolve()}，请登录后修改）")
