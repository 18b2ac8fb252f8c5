"""Unattended first-run setup for `make run`: demo data if the database is empty, and an admin user."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import Agency
from agencies.services import agency_create, agency_match
from reports.models import Report
from reports.parsing import parse_document
from reports.services import report_import

DEMO_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


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
