"""The API's views: thin — scoping from reports/access.py, every write through reports/services/."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from reports import canonical, services
from reports.access import agencies_visible_to, reports_visible_to
from reports.api import serializers as s
from reports.api.filters import AgencyApiFilterSet, ReportApiFilterSet
from reports.history import report_timeline
from reports.models import Report
from reports.selectors import report_values, report_values_many

log = logging.getLogger(__name__)

API_REASON = "通过 API 修改"
EXISTS = "该机关这一年度的报告已存在，未重复创建：请用 GET /api/reports/?agency={agency}&year={year} 找到它后修改。"

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="请求有误（中文说明）"),
    403: OpenApiResponse(s.ErrorSerializer, description="无权执行该操作"),
    404: OpenApiResponse(s.ErrorSerializer, description="不存在或不属于您可见的机关"),
}
CONFLICT = {409: OpenApiResponse(s.ConflictSerializer, description="版本冲突、报告已通过锁定或已存在")}


@extend_schema_view(
    list=extend_schema(summary="机关列表", description="您可见的机关（填报员：本人所属机关）。"),
    retrieve=extend_schema(summary="一个机关", responses={200: s.AgencySerializer, **ERRORS}),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.AgencySerializer
    filterset_class = AgencyApiFilterSet
    read_perms = ("agencies.view_agency",)

    def get_queryset(self):
        return agencies_visible_to(self.request.user, Agency.objects.all()).order_by("name_pinyin", "pk")


@extend_schema_view(
    list=extend_schema(summary="年报列表", description="您可见的年报，可按年度、机关、状态等筛选，分页。"),
    retrieve=extend_schema(summary="一份年报（不含单元格）", responses={200: s.ReportDetailSerializer, **ERRORS}),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = ReportApiFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    read_perms = ("reports.view_report",)
    write_perms = {
        "create": ("reports.add_report", "reports.change_report"),
        "partial_update": ("reports.change_report",),
        "transition": ("reports.change_report",),
    }
    serializers = {
        "list": s.ReportSerializer,
        "retrieve": s.ReportDetailSerializer,
        "create": s.ReportCreateSerializer,
        "partial_update": s.ReportWriteSerializer,
        "transition": s.TransitionSerializer,
        "cells": s.CellsSerializer,
        "values": s.CellsSerializer,
        "issues": s.IssueSerializer,
        "history": s.HistoryEntrySerializer,
    }

    def get_queryset(self):
        queryset = Report.objects.select_related("agency").order_by("-year", "agency__name_pinyin", "pk")
        return reports_visible_to(self.request.user, queryset)

    def get_serializer_class(self):
        return self.serializers.get(self.action, s.ReportSerializer)

    # --- reading ----------------------------------------------------------------------------------------------

    @extend_schema(summary="一份年报的 200 个单元格", responses={200: s.CellsSerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def cells(self, request, pk=None, **kwargs):
        # The version is read before the cells: a client that sends it back can only be refused for a change it
        # has in fact seen, never allowed to overwrite one it has not (records.report_update).
        report = self.get_object()
        data = {"report": report.pk, "version": report.version, "status": report.status, "cells": report_values(report)}
        return Response(s.CellsSerializer(data).data)

    @extend_schema(
        summary="多份年报的单元格（分页）",
        description="与年报列表相同的筛选和分页，每份年报带上版本号和 200 个单元格：供上级或对接系统批量同步。",
        responses={200: s.CellsSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def values(self, request, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))  # the versions, then the cells
        cells = report_values_many(r.pk for r in page)
        rows = [{"report": r.pk, "version": r.version, "status": r.status, "cells": cells[r.pk]} for r in page]
        return self.get_paginated_response(s.CellsSerializer(rows, many=True).data)

    @extend_schema(summary="校验问题", responses={200: s.IssueSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def issues(self, request, pk=None, **kwargs):
        report = self.get_object()
        return Response(s.IssueSerializer(report.issues.order_by("position", "pk"), many=True).data)

    @extend_schema(summary="修改记录（新的在前）", responses={200: s.HistoryEntrySerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request, pk=None, **kwargs):
        report = self.get_object()
        page = self.paginate_queryset(report_timeline(report))
        return self.get_paginated_response(s.HistoryEntrySerializer(page, many=True).data)

    # --- writing: the services the admin uses, under the same lock, scoping and workflow ----------------------

    @extend_schema(
        summary="新建年报并报送数值",
        request=s.ReportCreateSerializer,
        responses={201: s.WriteResultSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request, **kwargs):
        form = s.ReportCreateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        agency, year = data["agency"], data["year"]
        reason = data.get("reason") or API_REASON
        exists = DjangoValidationError(EXISTS.format(agency=agency.pk, year=year), code="exists")
        if Report.objects.filter(agency=agency, year=year).exists():
            raise exists
        try:
            with transaction.atomic():  # the report and its cells land together or not at all
                report = services.report_create(agency=agency, year=year, user=request.user, **form.fields_given())
                result = services.report_update(
                    report=report, values=data.get("cells") or {}, user=request.user, reason=reason
                )
                services.report_validate(report=report)
        except IntegrityError:  # the same agency and year created by someone else a moment ago
            raise exists
        except DjangoValidationError:
            if Report.objects.filter(agency=agency, year=year).exists():
                raise exists
            raise
        log.info("API: %s created report %s (%s %s) with %d cells", request.user, report.pk, agency, year,
                 len(result.changed))  # fmt: skip
        return Response(self._result(result), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改年报的单元格和文字",
        description=(
            "只发送要改的单元格和字段，并带回读取时的 version。读取之后他人改过的同一单元格：整次修改不保存，"
            "返回 409 并列出冲突的单元格；他人改过的其他单元格照常保留。已通过的年报不能修改（409 locked）；"
            "填报员提交后、退回前不能修改（403）。"
        ),
        request=s.ReportWriteSerializer,
        responses={200: s.WriteResultSerializer, **ERRORS, **CONFLICT},
    )
    def partial_update(self, request, pk=None, **kwargs):
        report = self.get_object()
        form = s.ReportWriteSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        result = services.report_update(
            report=report,
            values=data.get("cells") or {},
            fields=form.fields_given(),
            base_version=data["version"],
            user=request.user,
            reason=data.get("reason") or API_REASON,
        )
        log.info("API: %s wrote report %s: %d cells, fields %s, merged %s", request.user, report.pk,
                 len(result.changed), result.changed_fields, result.merged)  # fmt: skip
        return Response(self._result(result))

    @extend_schema(
        summary="流程操作（提交、审核、退回、通过、重新打开）",
        description="与管理后台的按钮相同的流程与权限：填报员只能提交本机关的年报。",
        request=s.TransitionSerializer,
        responses={200: s.ReportDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None, **kwargs):
        report = self.get_object()
        form = s.TransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        report = services.report_transition(
            report=report,
            action=data["action"],
            user=request.user,
            reason=data.get("reason", ""),
            override=data["override"],
            base_version=data["version"],
        )
        log.info("API: %s applied %s to report %s", request.user, data["action"], report.pk)
        report = self.get_queryset().get(pk=report.pk)
        return Response(s.ReportDetailSerializer(report, context={"request": request}).data)

    @staticmethod
    def _result(result) -> dict:
        report = Report.objects.get(pk=result.report.pk)
        return s.WriteResultSerializer(
            {
                "report": report.pk,
                "version": report.version,
                "status": report.status,
                "changed": result.changed,
                "changed_fields": result.changed_fields,
                "merged": result.merged,
                "error_count": report.error_count,
                "warning_count": report.warning_count,
            }
        ).data


class CellKeysView(APIView):
    """The 200 cells' names (canonical keys) with their Chinese labels, in template order."""

    read_perms = ("reports.view_report",)

    @extend_schema(summary="单元格名称表", responses={200: s.CellKeySerializer(many=True)})
    def get(self, request, **kwargs):
        rows = [
            {
                "key": key,
                "label": canonical.LABELS[key],
                "short_label": canonical.short_label(key),
                "decimal": key == canonical.FEES_KEY,
            }
            for key in canonical.ALL_KEYS
        ]
        return Response(s.CellKeySerializer(rows, many=True).data)


class MeSerializer(s.serializers.Serializer):
    username = s.serializers.CharField()
    roles = s.serializers.ListField(child=s.serializers.CharField())
    sees_all = s.serializers.BooleanField(help_text="是否可查看所有机关的年报")
    agencies = s.AgencySerializer(many=True, help_text="所属机关（填报员）")


class MeView(APIView):
    """Who this token is: to check a token and see which agencies it reports for."""

    read_perms = ()

    @extend_schema(summary="当前用户", responses={200: MeSerializer})
    def get(self, request, **kwargs):
        from reports.access import sees_all

        user = request.user
        data = {
            "username": user.get_username(),
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "sees_all": sees_all(user),
            "agencies": Agency.objects.filter(members=user).order_by("name_pinyin"),
        }
        return Response(MeSerializer(data).data)
