"""Bytes → text for plain text and HTML: BOM, declared charset, UTF-8, then GB18030."""

from __future__ import annotations

import codecs
import re

from reports.parsing.types import ParseError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030"}
UNREADABLE = "文件内容不是可识别的文字（编码无法识别或是二进制文件）"


def decode(data: bytes, *, html: bool = False) -> str:
    """Decode a text or HTML file, or raise ParseError("not_text") for binary content."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return _checked(data[len(bom) :].decode(enc, errors="replace"))
    if html:
        m = _META_CHARSET.search(data[:4096])
        if m:
            declared = _ALIASES.get(m.group(1).decode("ascii").lower(), m.group(1).decode("ascii").lower())
            try:
                return _checked(data.decode(declared))
            except (LookupError, UnicodeDecodeError):
                pass
    if _looks_utf16(data):
        return _checked(data.decode("utf-16-le", errors="replace"))
    for enc in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(enc))
        except UnicodeDecodeError:
            continue
    raise ParseError("not_text", UNREADABLE)


def _looks_utf16(data: bytes) -> bool:
    sample = data[:2000]
    return len(sample) >= 20 and sample[1::2].count(0) > 0.4 * (len(sample) // 2) and sample[0::2].count(0) < 5


def _checked(text: str) -> str:
    sample = text[:20000]
    if not sample:
        return text
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    if bad > max(3, len(sample) // 50):
        raise ParseError("not_text", UNREADABLE)
    return text
