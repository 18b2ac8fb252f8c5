"""``manage.py parse_report FILE [FILE ...] [--json]``: read reports and print what the parser found.

With ``--json`` every file gives one line: the canonical record (valid against
``annual-report.schema.json``) with ``source``, ``template``, ``warnings`` and ``provenance`` — or, for a
file that cannot be read, ``{"source": …, "error": {"code": …, "message": …}}``. Without it the three
tables are printed for a person. A file that fails is reported on stderr in Chinese and the command
goes on; the exit status is 1 when any file failed.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from reports.parsing import ParseError, parse_document
from reports.parsing.display import render


class Command(BaseCommand):
    help = "读取政府信息公开工作年度报告文件，输出解析出的表格（--json 时每个文件一行 JSON）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("files", nargs="+", help="报告文件（txt/html/docx/doc/wps/pdf/xlsx/xls）")
        parser.add_argument("--json", action="store_true", help="每个文件输出一行 JSON（规范记录）")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        failed = 0
        for path in options["files"]:
            name = path.rsplit("/", 1)[-1]
            try:
                report = parse_document(path)
            except ParseError as exc:
                failed += 1
                self._fail(name, exc.code, exc.message, options["json"])
                continue
            except Exception as exc:  # a bug must not stop the other files nor print a traceback
                failed += 1
                self._fail(name, "internal", f"解析时发生内部错误（{type(exc).__name__}: {exc}）", options["json"])
                continue
            if options["json"]:
                self.stdout.write(json.dumps(report.to_json(), ensure_ascii=False))
            else:
                self.stdout.write(render(report))
                self.stdout.write("")
        if failed:
            raise CommandError(f"{failed} 个文件无法读取", returncode=1)

    def _fail(self, name: str, code: str, message: str, as_json: bool) -> None:
        self.stderr.write(f"错误：{name} 无法读取：{message}")
        if as_json:
            self.stdout.write(
                json.dumps({"source": name, "error": {"code": code, "message": message}}, ensure_ascii=False)
            )
