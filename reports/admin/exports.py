"""Excel in the report admin: the flat sheet (django-import-export), the county workbook, one report's official
sheet and the overview page. Mixed into ReportAdmin (reports/admin/report.py) so that file stays about reports.

Every export reads through reports_visible_to: a 填报员 exports only the reports of their own agencies.
"""

from __future__ import annotations

import io
import logging
import tempfile
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.forms import ExportForm

from agencies.models import Agency
from config.celery import ensure_embedded_worker
from reports.access import agencies_visible_to, reports_visible_to
from reports.admin import flat_import, overview
from reports.exports.official import report_workbook
from reports.exports.summary import EmptyExport, write_summary
from reports.filtersets import ReportFilterSet
from reports.models import Job, Report
from reports.parsing import ParseError
from reports.resources import FLAT_FORMATS, FlatSheetTooLarge, ReportResource
from reports.selectors import report_values
from reports.services import jobs
from reports.services.incoming import STORAGE_FAILED
from reports.submission import STATUS_LABELS

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTHING_TO_EXPORT = "没有符合条件的报告，未生成文件。"
NO_YEAR = "请先选择年度。"


def summary_filters_text(kinds, statuses) -> str:
    parts = []
    if kinds:
        parts.append("类别：" + "、".join(str(Agency.Kind(k).label) for k in kinds))
    if statuses:
        parts.append("状态：" + "、".join(STATUS_LABELS[s] for s in statuses))
    return "；".join(parts)


def summary_write(*, user, year: int, reports, kinds=(), statuses=(), target) -> None:
    """Write the county workbook of `year` as `user` may see it (raises EmptyExport when there is nothing)."""
    agencies = agencies_visible_to(user, Agency.objects.filter(is_active=True))
    if kinds:
        agencies = agencies.filter(kind__in=kinds)
    write_summary(
        year=year,
        reports=reports,
        agencies=agencies,
        submissions=reports_visible_to(user, Report.objects.filter(year=year)),
        target=target,
        filters_text=summary_filters_text(kinds, statuses),
        exported_at=timezone.localtime(),
        exported_by=user.get_username(),
    )


def summary_response(request, *, year: int, reports, kinds=(), statuses=()) -> FileResponse:
    """The county workbook of `year` as a download (raises EmptyExport when there is nothing to export)."""
    # Written to a temporary file, not memory: a county workbook can be large.
    stream = tempfile.TemporaryFile()
    try:
        summary_write(user=request.user, year=year, reports=reports, kinds=kinds, statuses=statuses, target=stream)
    except BaseException:
        stream.close()
        raise
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=f"{year}年度年报汇总表.xlsx", content_type=XLSX)


class ReportExportsMixin(ImportMixin, ExportActionMixin):
    """Import/export of the flat sheet, the summary workbook action and the export/overview pages."""

    resource_classes = [ReportResource]
    formats = FLAT_FORMATS
    export_form_class = ExportForm  # 206 columns: a checkbox per column would bury the form
    import_export_change_list_template = "admin/reports/report/change_list_exports.html"
    import_template_name = "admin/reports/report/flat_import.html"

    import_form_class = flat_import.FlatImportForm
    confirm_form_class = flat_import.FlatConfirmForm
    tmp_storage_class = flat_import.OwnedUploadStorage

    def has_import_permission(self, request):
        return request.user.has_perm("reports.change_report")

    # --- the flat import: scoped to the user, its file in the user's own storage folder, bounded -------------

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        # a row refused at confirmation (a cell changed since the preview) refuses the whole sheet
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.user = request.user
        return form

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        form.formats_count = len(self.get_import_formats())
        form.resources_count = len(self.get_import_resource_classes(request))
        return form

    def import_action(self, request, **kwargs):
        token = flat_import.owner.set(request.user.pk)
        try:
            return super().import_action(request, **kwargs)
        except OSError:  # MEDIA_ROOT not writable, disk full
            log.exception("flat import: cannot keep the uploaded sheet under %s", settings.MEDIA_ROOT)
            self.message_user(request, STORAGE_FAILED, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        finally:
            flat_import.owner.reset(token)

    def write_to_tmp_storage(self, import_file, input_format):
        storage = super().write_to_tmp_storage(import_file, input_format)
        flat_import.record_upload(flat_import.owner.get(), import_file.size)
        return storage

    def process_import(self, request, **kwargs):
        token = flat_import.owner.set(request.user.pk)
        try:
            return super().process_import(request, **kwargs)
        except flat_import.UploadExpired:
            self.message_user(request, flat_import.EXPIRED, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reports_report_flat_import"))
        finally:
            flat_import.owner.reset(token)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Something changed between the preview and the confirmation: nothing was imported (rolled back).
            rows = [
                f"第 {row.number} 行：" + "；".join(str(e) for errors in row.error_dict.values() for e in errors)
                for row in result.invalid_rows[:5]
            ] + [f"第 {n} 行：{errors[0].error}" for n, errors in list(result.row_errors())[:5]]
            self.message_user(request, "表格未导入（确认前后数据有变化）：" + "；".join(rows), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reports_report_flat_import"))
        return super().process_result(result, request)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FlatSheetTooLarge | ParseError):
            form.add_error("import_file", getattr(e, "message", None) or str(e))
        else:
            form.add_error("import_file", f"无法读取该文件（{type(e).__name__}）：请确认所选格式与文件一致。")

    def has_export_permission(self, request):
        return request.user.has_perm("reports.view_report")

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # As import-export's own, but numbers stay numbers in our .xlsx format too (the package only knows its
        # own classes as binary).
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(request, queryset, force_native_type=file_format.is_binary(), **kwargs)
        export_data = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            export_data = export_data.encode(encoding)
        return export_data

    def get_export_queryset(self, request):
        return reports_visible_to(request.user, super().get_export_queryset(request))

    def get_export_filename(self, request, queryset, file_format):
        return f"nianbao-reports-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not queryset.exists():
            self.message_user(request, NOTHING_TO_EXPORT, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        return super()._do_file_export(file_format, request, queryset, export_form=export_form)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_export_permission(request):
            func = type(self).export_summary_action
            actions["export_summary_action"] = (func, "export_summary_action", func.short_description)
        return actions

    @admin.action(description="导出所选报告的汇总表（Excel）")
    def export_summary_action(self, request, queryset):
        queryset = reports_visible_to(request.user, queryset)
        years = sorted(set(queryset.order_by().values_list("year", flat=True)))
        if not years:
            self.message_user(request, NOTHING_TO_EXPORT, messages.ERROR)
            return None
        try:
            return summary_response(request, year=years[-1], reports=queryset)
        except EmptyExport as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None

    def get_urls(self):
        wrap = self.admin_site.admin_view
        urls = [
            path("overview/", wrap(self.overview_view), name="reports_report_overview"),
            path("summary.xlsx", wrap(self.summary_view), name="reports_report_summary"),
            path("<int:report_id>/official.xlsx", wrap(self.official_view), name="reports_report_official"),
            path("exports/<str:token>/", wrap(self.export_job_view), name="reports_report_export_job"),
        ]
        # import-export's own "import/" URL name is taken by the document import page of ReportAdmin; the flat
        # sheet's import lives under flat-import/ instead (its confirm step keeps import-export's name).
        for pattern in super().get_urls():
            if getattr(pattern, "name", None) == "reports_report_import":
                urls.append(path("flat-import/", wrap(self.import_action), name="reports_report_flat_import"))
            else:
                urls.append(pattern)
        return urls

    def overview_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return overview.overview_page(self, request)

    def summary_view(self, request):
        """The county workbook for the overview's filters (year, kind, status)."""
        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        back = reverse("admin:reports_report_overview") + ("?" + request.GET.urlencode() if request.GET else "")
        filterset = ReportFilterSet(request.GET, queryset=reports_visible_to(request.user, Report.objects.all()))
        if not filterset.is_valid() or not filterset.form.cleaned_data.get("year"):
            self.message_user(request, NO_YEAR, messages.ERROR)
            return HttpResponseRedirect(back)
        data = filterset.form.cleaned_data
        if filterset.qs.count() > settings.NIANBAO_EXPORT_IN_REQUEST_MAX:  # a province's year: written by a worker
            job = jobs.export_job_start(user=request.user, query=request.GET.urlencode())
            return HttpResponseRedirect(reverse("admin:reports_report_export_job", args=[job.token]))
        try:
            return summary_response(
                request, year=data["year"], reports=filterset.qs, kinds=data["kind"], statuses=data["status"]
            )
        except EmptyExport as exc:
            self.message_user(request, f"{data['year']} 年度：{exc}", messages.ERROR)
            return HttpResponseRedirect(back)

    def export_job_view(self, request, token):
        """A county workbook being written by a worker: progress, then the download (its own user only)."""
        job = Job.objects.filter(kind=Job.Kind.EXPORT, token=token).first()
        if job is None:
            raise Http404("导出任务不存在或已过期。")
        if job.user_id != request.user.pk:
            raise PermissionDenied
        path = jobs.export_path(job)
        if job.phase == Job.Phase.DONE and request.GET.get("download"):
            if not path.is_file():
                raise Http404("导出的文件已过期，请重新导出。")
            name = f"{job.result.get('year', '')}年度年报汇总表.xlsx"
            return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=XLSX)
        if job.phase == Job.Phase.RUNNING:
            ensure_embedded_worker()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导出汇总表",
            "job": job,
            "running": job.phase == Job.Phase.RUNNING,
        }
        return TemplateResponse(request, "admin/reports/report/export_job.html", context)

    def official_view(self, request, report_id):
        """One report in the official layout."""
        visible = reports_visible_to(request.user, Report.objects.select_related("agency"))
        report = get_object_or_404(visible, pk=report_id)
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        workbook = report_workbook(report, report_values(report), exported_at=timezone.localtime())
        buffer = io.BytesIO()
        workbook.save(buffer)
        buffer.seek(0)
        name = f"{report.agency.short_name or report.agency.name}{report.year}年度报告.xlsx"
        return FileResponse(buffer, as_attachment=True, filename=name, content_type=XLSX)


def overview_query(*, year: int, kinds=(), statuses=()) -> str:
    """The query string of the overview (and of its workbook) for these filters."""
    return urlencode([("year", year), *(("kind", k) for k in kinds), *(("status", s) for s in statuses)])
