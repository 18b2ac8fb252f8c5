"""The flat sheet's import pages (django-import-export), held to the same rules as every other way in.

django-import-export keeps the uploaded sheet between its preview and its confirm step, and by default takes the
file's name back from the browser and reads it from the OS temp directory — so any file there could be read (and
then deleted) by naming it. Here the file lives in the project's storage (MEDIA_ROOT/flat-import/<user id>/) under
a random name the server chose; the confirm step reads only a 32-hex name inside the requesting user's folder.
The sheet's size (bytes, rows) is bounded before it is parsed, and the forms refuse what a browser never sends.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.tmp_storages import BaseStorage

from reports.models import UploadLog
from reports.services import incoming

FOLDER = "flat-import"
_NAME = re.compile(r"^[0-9a-f]{32}$")
EXPIRED = "导入文件已过期或不存在，请重新上传表格。"

# The user the current import request is for (set by the admin around import-export's views, which build the
# temporary storage without the request).
owner: ContextVar[int | None] = ContextVar("nianbao_flat_import_owner", default=None)


class UploadExpired(Exception):
    pass


class OwnedUploadStorage(BaseStorage):
    """import-export's temporary storage: the project's storage, a server-chosen name, one folder per user."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.read_mode = "rb"

    def _path(self) -> str:
        user = owner.get()
        if user is None or not self.name or not _NAME.match(self.name):
            raise UploadExpired
        return f"{FOLDER}/{user}/{self.name}"

    def save(self, data) -> None:
        self.name = uuid4().hex
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        default_storage.save(self._path(), ContentFile(data))

    def read(self):
        try:
            with default_storage.open(self._path(), "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            raise UploadExpired

    def remove(self) -> None:
        try:
            default_storage.delete(self._path())
        except UploadExpired:
            pass


class FlatImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.NIANBAO_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(f"文件过大（{upload.size / 1048576:.0f} MB，上限 {limit // 1048576} MB）。")
        incoming.upload_allowance_check(user=self.user, size=upload.size)
        return upload

    user = None


class FlatConfirmForm(ConfirmImportForm):
    """The confirm step's hidden fields, checked: a format or resource the page never offered is refused."""

    formats_count = 1
    resources_count = 1

    def _index(self, name: str, count: int, required: bool = True) -> str:
        value = self.cleaned_data.get(name) or ""
        if not value and not required:
            return value
        if not (value.isascii() and value.isdigit() and int(value) < count):
            raise ValidationError(EXPIRED)
        return value

    def clean_format(self):
        return self._index("format", self.formats_count)

    def clean_resource(self):
        return self._index("resource", self.resources_count, required=False)

    def clean_import_file_name(self):
        name = super().clean_import_file_name()
        if not _NAME.match(name):
            raise ValidationError(EXPIRED)
        return name


def record_upload(user_id: int | None, size: int) -> None:
    if user_id is not None:
        UploadLog.objects.create(user_id=user_id, size=size, files=1, kind=UploadLog.Kind.FLAT)
