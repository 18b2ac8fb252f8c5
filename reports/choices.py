"""Choices of the reports app: English stored values, Chinese labels."""

from django.db import models


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    REVIEWING = "reviewing", "审核中"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"


class TemplateVersion(models.TextChoices):
    V2021 = "2021", "2021 版"  # 国办公开办函〔2021〕30号
    V2019 = "2019", "2019 试行版"  # 国办公开办函〔2019〕60号


class Severity(models.TextChoices):
    ERROR = "error", "错误"
    WARNING = "warning", "警告"
    INFO = "info", "提示"
