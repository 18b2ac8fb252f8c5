"""Label normalisation (FORMAT.md §4.1) and value tokens (§4.3).

Labels are compared only after :func:`norm`, which is applied to labels and never to numbers: NFKC,
no whitespace, no quotes, one kind of bracket, and the synonyms real reports use folded onto the
official wording. :func:`parse_value` reads one value cell and says whether it is a number, a blank
(``-``, ``—``, ``/``, ``无`` or nothing) or unreadable text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_WHITESPACE = re.compile(r"\s+")
_DROP = str.maketrans("", "", "“”\"「」『』‘’'`")
# NFKC turns the full-width ，and ：into ASCII; the official labels use the CJK forms, so put them back.
# A character the source maps to nothing: a PDF glyph without a Unicode value, an OCR reading refused.
UNREADABLE = "\ufffd"
_CJK_PUNCT = str.maketrans({",": "，", ":": "：", ";": "；"})
_SYNONYMS = (
    ("不予以处理", "不予处理"),
    ("法律法规", "法律行政法规"),
    ("维护", "维持"),
    ("合计", "总计"),
    ("记", "计"),
)
_ORDINAL = re.compile(
    r"^(?:\(([一二三四五六七八九十]{1,3}|\d{1,2})\)[、.，]?|([一二三四五六七八九十]{1,3})[、.，]|(\d{1,2})(?:[、，]|\.(?!\d)))"
)
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """The §4.1 recipe, steps 1-4: the form every label is compared in."""
    s = unicodedata.normalize("NFKC", text)
    s = _WHITESPACE.sub("", s).translate(_DROP).translate(_CJK_PUNCT)
    s = s.replace("〔", "(").replace("〕", ")").replace("【", "(").replace("】", ")")
    for old, new in _SYNONYMS:
        s = s.replace(old, new)
    return s


@dataclass(frozen=True)
class Ordinal:
    kind: str  # "cn" 一、 / "paren" (一) / "arabic" 1.
    number: int


def split_ordinal(normed: str) -> tuple[Ordinal | None, str]:
    """§4.1 step 5: a leading ordinal (一、 1、 (一) 1.) split off a normalised label."""
    m = _ORDINAL.match(normed)
    if not m:
        return None, normed
    paren, cn, arabic = m.groups()
    if paren is not None:
        number = int(paren) if paren.isdigit() else _cn_number(paren)
        ordinal = Ordinal("paren", number)
    elif cn is not None:
        ordinal = Ordinal("cn", _cn_number(cn))
    else:
        ordinal = Ordinal("arabic", int(arabic))
    return ordinal, normed[m.end() :]


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1:], 0)
    if len(text) == 2 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10
    if len(text) == 3 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10 + _CN_DIGITS[text[2]]
    return _CN_DIGITS.get(text, 0)


# ---------------------------------------------------------------------------------------------------
# Values

BLANK_MARKS = frozenset({"", "-", "—", "–", "－", "―", "——", "--", "/", "／", "\\", "无", "空", "/ /"})
_NUMBER = re.compile(r"^[+]?\d+(?:\.\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_UNIT = re.compile(r"^(.*?\d)\s*(万元|元|件次|件|个|项|次|条|人次)$")
NUMBER_TOKEN = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_NUMBER_WITH_UNIT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|元|件次|件|个|项|次|条|人次)$")


@dataclass(frozen=True)
class ValueToken:
    """One value cell as read: a number, a blank, or text that is not a number."""

    raw: str
    status: str  # "number", "blank", "text"
    value: int | Decimal | None = None
    unit: str | None = None
    problem: str | None = None  # Chinese, why a "text" token is not a value

    @property
    def is_number(self) -> bool:
        return self.status == "number"

    @property
    def is_blank(self) -> bool:
        return self.status == "blank"


def clean_token(raw: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw))


def is_value_like(raw: str) -> bool:
    """True for a token that can only be a value cell (a number or a blank mark), never a label."""
    s = clean_token(raw)
    return s in BLANK_MARKS or bool(NUMBER_TOKEN.match(s)) or bool(_NUMBER_WITH_UNIT.match(s))


def is_number_text(raw: str) -> bool:
    return bool(NUMBER_TOKEN.match(clean_token(raw)))


@lru_cache(maxsize=4096)
def parse_value(raw: str, decimal: bool = False) -> ValueToken:
    """Read one value cell. ``decimal`` for 行政事业性收费 (万元); every other cell is a count."""
    s = clean_token(raw)
    if s in BLANK_MARKS:
        return ValueToken(raw, "blank")
    unit = None
    m = _UNIT.match(s)
    if m:
        s, unit = m.group(1), m.group(2)
    if _GROUPED.match(s):
        s = s.replace(",", "")
    if s.startswith("-") and _NUMBER.match(s[1:]):
        return ValueToken(raw, "text", problem="负数")
    if not _NUMBER.match(s):
        return ValueToken(raw, "text", problem="不是数字")
    try:
        number = Decimal(s.lstrip("+"))
    except InvalidOperation:
        return ValueToken(raw, "text", problem="不是数字")
    if decimal:
        value: int | Decimal = int(number) if number == number.to_integral_value() and "." not in s else number
        return ValueToken(raw, "number", value, unit)
    if number != number.to_integral_value():
        return ValueToken(raw, "text", problem="件数不能是小数")
    return ValueToken(raw, "number", int(number), unit)
