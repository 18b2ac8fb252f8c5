import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q


def source_upload_to(instance: "SourceDocument", filename: str) -> str:
    # Generated names only: the uploader's file name is kept in original_name, never used as a path.
    suffix = PurePath(filename).suffix.lower()
    if not suffix.isascii() or len(suffix) > 8 or not suffix[1:].isalnum():
        suffix = ""
    return f"sources/{instance.sha256[:2]}/{uuid.uuid4().hex}{suffix}"


class SourceDocument(models.Model):
    """An uploaded document a report was read from. Kept for good: every version, with its hash and reading."""

    # Deleting a report (an administrator's explicit act, e.g. a file imported under the wrong agency) takes its
    # source documents with it; services.report_delete removes the stored files once the deletion is committed.
    report = models.ForeignKey("reports.Report", verbose_name="报告", on_delete=models.CASCADE, related_name="sources")
    version = models.PositiveIntegerField("版本", help_text="同一报告的第几份来源文件，从 1 开始")
    file = models.FileField("文件", upload_to=source_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    format = models.CharField("格式", max_length=10, blank=True)
    extracted_text = models.TextField("提取的文本", blank=True)
    # The parser's reading: the canonical record plus warnings and per-cell provenance (ParsedReport.to_json()).
    parsed = models.JSONField("解析结果", default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "来源文件"
        verbose_name_plural = "来源文件"
        ordering = ["report", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "version"],
                name="reports_source_unique_version",
                violation_error_message="该报告的这一版本已存在。",
            ),
            models.UniqueConstraint(
                fields=["report", "sha256"],
                name="reports_source_unique_file",
                violation_error_message="该文件已导入过。",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="reports_source_version_positive",
                violation_error_message="版本号应从 1 开始。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name}（第 {self.version} 版）"
