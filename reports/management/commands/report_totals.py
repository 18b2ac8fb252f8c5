"""Check (or rebuild) every report's stored totals (ReportTotals) against its cells."""

import time

from django.core.management.base import BaseCommand, CommandError

from reports.management.database import database_problem
from reports.services.totals import report_totals_rebuild, report_totals_stale

SHOWN = 20


class Command(BaseCommand):
    help = (
        "核对每份年报存储的表三、表四总计（总览所用）与其单元格是否一致；--rebuild 按单元格重新生成。"
        "发现不一致（且未 --rebuild）时退出码为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="按单元格重新生成不一致的（或全部，加 --all）")
        parser.add_argument("--all", action="store_true", help="与 --rebuild 同用：重新生成全部报告的总计")

    def handle(self, *args, rebuild=False, all=False, **options):
        problem = database_problem()
        if problem:
            raise CommandError(problem, returncode=2)
        started = time.perf_counter()
        if rebuild and all:
            n = report_totals_rebuild()
            self.stdout.write(f"已重新生成 {n} 份报告的总计（{time.perf_counter() - started:.1f} 秒）。")
            return
        stale, ids = report_totals_stale()
        if not stale:
            self.stdout.write(f"全部报告的存储总计与单元格一致（{time.perf_counter() - started:.1f} 秒）。")
            return
        shown = "、".join(str(i) for i in ids[:SHOWN]) + ("等" if stale > SHOWN else "")
        self.stdout.write(f"{stale} 份报告的存储总计与单元格不一致（报告编号 {shown}）。")
        if not rebuild:
            raise CommandError("存储总计不一致：运行 report_totals --rebuild 修复。", returncode=1)
        report_totals_rebuild(report_ids=ids)
        again, _ = report_totals_stale()
        if again:
            raise CommandError(f"重新生成后仍有 {again} 份不一致。", returncode=1)
        self.stdout.write(f"已按单元格重新生成这 {stale} 份报告的总计。")
