from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from reports.api import views

# The docs pages may load only from this server (Redoc's footer would otherwise fetch its logo from a CDN).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)


def own_sources_only(view):
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response

    return wrapped


router = DefaultRouter()
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("reports", views.ReportViewSet, basename="report")

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    path("cells/", views.CellKeysView.as_view(), name="cells"),
    path("me/", views.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", own_sources_only(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", own_sources_only(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
]
