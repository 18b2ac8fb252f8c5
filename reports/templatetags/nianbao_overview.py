"""Template helpers of the overview page."""

from django import template

register = template.Library()


@register.filter
def format_id(url_pattern: str, object_id) -> str:
    """Fill a URL pattern like "/admin/reports/report/{}/change/" (reversed once, not once per row)."""
    return url_pattern.format(object_id)
