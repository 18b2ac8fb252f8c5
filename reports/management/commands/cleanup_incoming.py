"""Remove abandoned upload batches, flat-import files and files left by interrupted imports (schedule it hourly)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from reports.management.database import require_database
from reports.services.incoming import incoming_cleanup
from reports.services.jobs import jobs_expire


class Command(BaseCommand):
    help = "清理未确认的导入批次、数字表导入的临时文件，以及中断的导入留下的无记录文件（可由定时任务每小时运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-hours", type=float, default=None, help="导入批次保留的小时数（默认 NIANBAO_INCOMING_TTL_HOURS）"
        )
        parser.add_argument(
            "--orphan-minutes",
            type=float,
            default=None,
            help="无记录文件至少存在多少分钟才清理（默认 NIANBAO_ORPHAN_GRACE_MINUTES，避开正在进行的导入）",
        )

    def handle(self, *args, batch_hours, orphan_minutes, **options):
        require_database()
        result = incoming_cleanup(
            batch_age=timedelta(hours=batch_hours) if batch_hours is not None else None,
            orphan_age=timedelta(minutes=orphan_minutes) if orphan_minutes is not None else None,
        )
        jobs_expire()  # the jobs of the batches just removed
        for name in result.orphans:
            self.stdout.write(f"已删除无记录文件：{name}")
        self.stdout.write(f"清理完成：{result}")
