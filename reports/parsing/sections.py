"""The report around its tables: title, agency, year, 统计期限, template, section texts, date.

The six top-level headings split the running text (FORMAT.md §7); what comes before 一 is the
preamble. The title is the first short line that calls itself a 年度报告/年报, possibly spread over
two lines; the agency is the title without its year and that wording. The year comes from the
title, else the 统计期限, else the body. The template version is voted on by the wording that only
one version uses (FORMAT.md §2).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from reports.parsing.document import Document
from reports.parsing.headings import SECTION_NUMERALS, heading_number
from reports.parsing.normalize import norm

_TITLE_WORDS = re.compile(r"(?:年度报告|年报)")
_TITLE_FULL = re.compile(
    r"^(?P<agency>.*?)(?P<year>(?:19|20)\d{2})?年?度?(?:的)?(?:政府)?信息公开(?:工作)?(?:年度报告|年报)"
    r"(?:\([^()]*\)|（[^（）]*）)?$"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_PERIOD = re.compile(
    r"(?:自|从)?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-|～|~)\s*"
    r"(?:((?:19|20)\d{2})\s*年\s*)?12\s*月\s*31\s*日"
)
_DATE_LINE = re.compile(r"^\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_PUBLISHED = re.compile(r"发布(?:日期|时间)\s*[:：]\s*((?:19|20)\d{2})[-./年](\d{1,2})[-./月](\d{1,2})")
_NOT_TITLE = ("当前位置", ">", "|", "首页", "索引号", "发布机构")
MAX_TITLE_CHARS = 70


@dataclass
class Meta:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    year_source: str | None = None  # "title", "period", "body"
    period_year: int | None = None
    template: str | None = None
    template_votes: dict[str, int] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    sections_found: tuple[str, ...] = ()
    headings: list[tuple[int, int]] = field(default_factory=list)  # (line number, section 1-6)
    publication_date: date | None = None


def analyse(doc: Document, table_texts: list[str] | None = None) -> Meta:
    meta = Meta()
    lines = [(ln.line, ln.text) for ln in doc.lines]
    meta.headings = _headings(lines)
    meta.sections_found = tuple(SECTION_NUMERALS[n - 1] for _, n in meta.headings)
    meta.sections = _section_texts(lines, meta.headings)
    first_heading = meta.headings[0][0] if meta.headings else None
    meta.title = _title(lines, first_heading) or _metadata_title(doc)
    meta.agency = _agency(meta.title) or _agency_from_text(lines, doc)
    text = "\n".join(t for _, t in lines)
    meta.period_year = _period_year(text)
    title_year = _year_in(meta.title)
    if title_year:
        meta.year, meta.year_source = title_year, "title"
    elif meta.period_year:
        meta.year, meta.year_source = meta.period_year, "period"
    else:
        body = meta.sections.get("overview") or meta.sections.get("preamble") or text
        meta.year = _body_year(body) or _body_year(text)
        meta.year_source = "body" if meta.year else None
    meta.template, meta.template_votes = detect_template(text + "\n" + "\n".join(table_texts or []))
    meta.publication_date = _publication_date(lines, meta.headings, doc)
    return meta


def _headings(lines: list[tuple[int, str]]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for number, text in lines:
        n = heading_number(text)
        if n is None:
            continue
        if any(n == m for _, m in found):
            continue  # the first occurrence of a section wins (a later one is a running header or quote)
        found.append((number, n))
    return found


_SECTION_KEY = {1: "overview", 5: "problems", 6: "other"}


def _section_texts(lines: list[tuple[int, str]], headings: list[tuple[int, int]]) -> dict[str, str]:
    out = {"preamble": "", "overview": "", "problems": "", "other": ""}
    starts = sorted(headings)
    first = starts[0][0] if starts else None
    if first is not None:
        out["preamble"] = _join(t for n, t in lines if n < first)
    for i, (start, number) in enumerate(starts):
        key = _SECTION_KEY.get(number)
        if key is None:
            continue
        end = starts[i + 1][0] if i + 1 < len(starts) else None
        out[key] = _join(t for n, t in lines if n > start and (end is None or n < end))
    return out


def _join(texts) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(t.strip() for t in texts if t.strip())


def _title(lines: list[tuple[int, str]], first_heading: int | None) -> str | None:
    """The first one to three consecutive short lines that read as a whole title, with its agency when possible."""
    candidates = [(n, t.strip()) for n, t in lines if t.strip()]
    if first_heading is not None:
        candidates = [(n, t) for n, t in candidates if n < first_heading]
    texts = [t for _, t in candidates[:15]]
    agencyless = None
    for i in range(len(texts)):
        if any(w in texts[i] for w in _NOT_TITLE):
            continue
        for span in (1, 2, 3):
            joined = "".join(texts[i : i + span])
            if len(joined) > MAX_TITLE_CHARS:
                break
            m = _TITLE_FULL.match(re.sub(r"\s+", "", joined))
            if not m:
                continue
            title = re.sub(r"\s+", " ", " ".join(texts[i : i + span]))
            if m.group("agency"):
                return _squeeze(title)
            # "彭阳县新集乡人民政府" / "2023 年政府信息公开工作年度报告": the agency on the line above.
            above = texts[i - 1] if i > 0 else ""
            if above and len(above) <= 40 and not re.search(r"[。，：；,]", above) and "报告" not in above:
                return _squeeze(f"{above} {title}")
            agencyless = agencyless or _squeeze(title)
            break
    return agencyless


def _squeeze(title: str) -> str:
    """Drop the spaces a PDF puts between CJK characters, keep one between words of other scripts."""
    return re.sub(r"(?<=[^A-Za-z0-9]) | (?=[^A-Za-z0-9])", "", title).strip()


def _metadata_title(doc: Document) -> str | None:
    for key in ("title", "Title"):
        t = doc.metadata.get(key)
        if t and _TITLE_WORDS.search(t):
            return re.split(r"[_|]| - ", t)[0].strip()
    return None


def _agency(title: str | None) -> str | None:
    if not title:
        return None
    m = _TITLE_FULL.match(re.sub(r"\s+", "", title))
    name = m.group("agency") if m else ""
    name = name.strip("《》“”\"'：:")
    return name if len(name) >= 2 else None


def _agency_from_text(lines: list[tuple[int, str]], doc: Document) -> str | None:
    publisher = doc.metadata.get("publisher")
    if publisher:
        return publisher
    # A signature: the agency on the line above the closing date.
    texts = [t.strip() for _, t in lines if t.strip()]
    for i in range(len(texts) - 1, max(len(texts) - 6, 0), -1):
        if _DATE_LINE.match(texts[i]) and i > 0 and len(texts[i - 1]) <= 30:
            return re.sub(r"\s+", "", texts[i - 1])
    return None


def _year_in(text: str | None) -> int | None:
    if not text:
        return None
    m = re.search(r"((?:19|20)\d{2})\s*年?\s*度?\s*(?:的)?\s*(?:政府)?信息公开", text) or _YEAR.search(text)
    return int(m.group(1)) if m else None


def _period_year(text: str) -> int | None:
    m = _PERIOD.search(text)
    if not m:
        return None
    if m.group(2) and m.group(2) != m.group(1):
        return None
    return int(m.group(1))


def _body_year(text: str) -> int | None:
    """The year the body speaks of: the first "20xx年" that opens a sentence, else the most frequent one."""
    m = re.search(r"(?:^|[。\n])\s*((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)", text)
    if m:
        return int(m.group(1))
    years = Counter(int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)", text))
    if not years:
        return None
    return years.most_common(1)[0][0]


def detect_template(text: str) -> tuple[str | None, dict[str, int]]:
    """FORMAT.md §2: "2021", "2019" or None, by the wording only one template uses."""
    n = norm(text)
    votes = {
        "2021": sum(w in n for w in ("本年制发件数", "现行有效件数", "本年废止件数", "申请人无正当理由逾期不补正",
                                     "逾期未按收费通知", "本年收费金额")),
        "2019": sum(w in n for w in ("本年新制作数量", "对外公开总数量", "上一年项目数量", "本年增/减",
                                     "政府集中采购", "采购总金额", "本年新公开数量")),
    }  # fmt: skip
    if votes["2021"] > votes["2019"]:
        return "2021", votes
    if votes["2019"] > votes["2021"]:
        return "2019", votes
    return None, votes


def _publication_date(lines: list[tuple[int, str]], headings: list[tuple[int, int]], doc: Document) -> date | None:
    """A date line closing the report (after 六), or a portal's "发布日期"; None unless exactly one is found."""
    found: set[date] = set()
    last_heading = max((n for n, s in headings if s == 6), default=None)
    for number, text in lines:
        m = _DATE_LINE.match(text)
        if m and (last_heading is None or number > last_heading):
            found.add(_date(m))
        p = _PUBLISHED.search(text)
        if p:
            found.add(_date(p))
    found.discard(None)  # type: ignore[arg-type]
    return found.pop() if len(found) == 1 else None


def _date(m: re.Match[str]) -> date | None:
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
