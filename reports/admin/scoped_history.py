"""django-simple-history's admin pages, held to the same rules as the change page.

Its history list and version pages look objects up by id without the ModelAdmin's queryset, so a 填报员 could
read another agency's past values by URL; and its "revert" writes an old version straight to the model,
past the services (approval lock, validation, timeline). Here both pages 404 outside the user's queryset, and
versions can only be viewed: corrections go through the report page, with history of their own.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from simple_history.admin import SimpleHistoryAdmin

VIEW_ONLY = "历史版本只能查看，不能直接恢复；如需更正，请在修改页录入（修改会记入历史）。"


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        get_object_or_404(self.get_queryset(request), pk=object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        get_object_or_404(self.get_queryset(request), pk=object_id)
        if request.method == "POST":
            self.message_user(request, VIEW_ONLY, messages.WARNING)
            return HttpResponseRedirect(request.path)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)
