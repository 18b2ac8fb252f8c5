"""JSON bodies: bounded in size before they are read, with decimals kept exact (12.3456 stays Decimal("12.3456"))."""

from __future__ import annotations

import codecs
import json
from decimal import Decimal

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

BAD_JSON = "请求内容不是有效的 JSON：{error}"


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"请求内容过大（{size} 字节，上限 {limit} 字节）。一份年报的数值与文字远小于此限。")


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.NIANBAO_API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0
        if limit and length > limit:
            raise BodyTooLarge(length, limit)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        # Read at most one byte past the limit, whatever the header said.
        raw = stream.read(limit + 1) if limit else stream.read()
        if limit and len(raw) > limit:
            raise BodyTooLarge(len(raw), limit)
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(BAD_JSON.format(error=exc))


def _refuse_constant(name: str):
    raise ValueError(f"{name} 不是有效的数值")
