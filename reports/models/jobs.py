"""Background jobs and their parts, kept in the database so that progress survives a page reload, a restarted
worker or a lost broker message: the database, not the queue, says what is done.

An admin upload batch is a Job of kind "import" (its token names the batch folder under MEDIA_ROOT/incoming/);
each uploaded file is one JobItem, read by its own task (``state``) and later imported by the batch's import
task (``outcome``). A year's check is a Job of kind "check" whose items are chunks of report ids; a big county workbook is a Job of
kind "export" whose file waits under MEDIA_ROOT/exports/ for its user.
"""

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", "导入年报"
        CHECK = "check", "检查年报"
        EXPORT = "export", "导出汇总表"

    class Phase(models.TextChoices):
        READING = "reading", "正在读取文件"
        READY = "ready", "待确认"
        IMPORTING = "importing", "正在导入"
        RUNNING = "running", "正在运行"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    token = models.CharField("批次", max_length=64, unique=True, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    phase = models.CharField("状态", max_length=10, choices=Phase.choices)
    params = models.JSONField("参数", default=dict, blank=True)  # import: the confirmed choices; check: the year
    result = models.JSONField("结果", default=dict, blank=True)  # import: messages, retry token; check: totals
    error = models.TextField("失败原因", blank=True)
    reported = models.BooleanField("结果已告知", default=False)
    created = models.DateTimeField("创建时间", auto_now_add=True)
    touched = models.DateTimeField("最近进展", auto_now=True)
    finished = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        default_permissions = ()  # reached only through the import pages and commands, scoped by user
        indexes = [models.Index(fields=["phase", "touched"], name="reports_job_phase_touched")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.token or self.pk}"


class JobItem(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "等待中"
        DONE = "done", "完成"
        FAILED = "failed", "失败"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        QUEUED = "queued", "等待导入"
        IMPORTED = "imported", "已导入"
        SKIPPED = "skipped", "跳过"
        FAILED = "failed", "未导入"
        UNTICKED = "unticked", "未勾选"

    job = models.ForeignKey(Job, verbose_name="任务", on_delete=models.CASCADE, related_name="items")
    n = models.PositiveIntegerField("序号")
    name = models.CharField("名称", max_length=500, blank=True)
    payload = models.JSONField("内容", default=dict, blank=True)  # import: stored file; check: report ids
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField("原因", blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    touched = models.DateTimeField("最近进展", auto_now=True)
    outcome = models.CharField("导入结果", max_length=10, choices=Outcome.choices, blank=True, default="")
    message = models.TextField("导入说明", blank=True)
    level = models.PositiveSmallIntegerField("消息级别", default=20)
    result = models.JSONField("结果", default=dict, blank=True)

    class Meta:
        verbose_name = "后台任务项"
        verbose_name_plural = "后台任务项"
        default_permissions = ()
        ordering = ["job", "n"]
        constraints = [models.UniqueConstraint(fields=["job", "n"], name="reports_jobitem_unique_n")]
        indexes = [models.Index(fields=["state", "touched"], name="reports_jobitem_state_touched")]
