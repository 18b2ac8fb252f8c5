from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "年度报告"

    def ready(self):
        from reports import signals  # noqa: F401  (roles give 工作人员状态)
