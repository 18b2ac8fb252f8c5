from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "年报 Nianbao · 政府信息公开工作年度报告管理"
admin.site.site_title = "年报 Nianbao"
admin.site.index_title = "政府信息公开工作年度报告"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("reports.api.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.forbidden"
handler404 = "config.views.not_found"
