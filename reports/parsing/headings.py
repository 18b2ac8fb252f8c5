"""The six top-level headings (FORMAT.md §1, §7) and the table each section holds."""

from __future__ import annotations

import re

from reports.parsing.normalize import norm, split_ordinal

SECTION_NUMERALS = ("一", "二", "三", "四", "五", "六")
_PREFIX = re.compile(r"^(?:政府信息公开工作|政府信息公开)")
_HEADINGS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^总体情况")),
    (2, re.compile(r"^主动公开政府信息(?:的)?情况")),
    (3, re.compile(r"^收到和处理政府信息公开申请(?:的)?情况")),
    (4, re.compile(r"^(?:政府信息公开)?行政复议(?:、|和|及)?(?:行政)?诉讼(?:的)?情况")),
    (5, re.compile(r"^存在(?:的)?(?:主要)?问题(?:及|和|与)?(?:改进|整改)(?:情况|措施)?")),
    (6, re.compile(r"^其他需要报告的事项")),
)
SECTION_TABLE = {2: "t2", 3: "t3", 4: "t4"}
MAX_HEADING_CHARS = 40


def heading_number(text: str) -> int | None:
    """1-6 when the line is one of the six top-level headings ("三、收到和处理…", "4、…", "五、存在问题…")."""
    n = norm(text)
    if not n or len(n) > MAX_HEADING_CHARS:
        return None
    ordinal, rest = split_ordinal(n)
    if ordinal is not None and ordinal.kind == "paren":
        return None
    rest = _PREFIX.sub("", rest)
    for number, pattern in _HEADINGS:
        m = pattern.match(rest)
        if m:
            if ordinal is not None and ordinal.number != number:
                return None
            # Without a numeral the line must be the heading alone, so body text naming a section is no heading.
            if ordinal is None and len(rest) - m.end() > 2:
                return None
            return number
    return None
