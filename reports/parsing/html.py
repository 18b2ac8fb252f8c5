"""HTML reader: the page's running text as lines and its data tables as grids.

Portals publish the report as HTML, often inside a page with navigation and footer, sometimes in
GBK. Tables keep their structure: ``rowspan``/``colspan`` are expanded so that every grid position
holds its cell's text (:class:`~reports.parsing.document.GridCell`). A table that contains other
tables is page layout, not data: its cells are read as running text and the inner tables as tables.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from reports.parsing.document import Document, GridCell, Table, TextLine
from reports.parsing.encoding import decode
from reports.parsing.types import ParseError

_BLOCK = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol tr table section article header footer blockquote pre center dl dt dd "
    "form hr address main nav aside figure figcaption caption tbody thead tfoot".split()
)
_SKIP = frozenset("script style head noscript iframe svg object embed template select button".split())
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
MAX_SPAN = 200


def read_html(data: bytes) -> Document:
    text = decode(data, html=True)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError("corrupt", f"HTML 文件无法解析：{exc}")
    walker = _Walker()
    body = root.find("body")
    try:
        walker.walk(body if body is not None else root)
    except RecursionError:
        raise ParseError("corrupt", "HTML 文件嵌套层次过深，无法解析")
    walker.flush()
    title = root.findtext(".//title") or ""
    metadata = {"title": title.strip()} if title.strip() else {}
    publisher = re.search(r"发布机构\s*[:：]\s*([^\s\u00a0|]+)", "\n".join(walker.lines))
    if publisher:
        metadata["publisher"] = publisher.group(1)
    lines = tuple(TextLine(t, i + 1) for i, t in enumerate(walker.lines))
    return Document("html", lines=lines, tables=tuple(walker.tables), metadata=metadata)


class _Walker:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[Table] = []
        self.buf: list[str] = []

    def flush(self) -> None:
        text = _SPACES.sub(" ", "".join(self.buf)).strip()
        self.buf = []
        for part in text.split("\n"):
            part = part.strip()
            if part:
                self.lines.append(part)

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comment or processing instruction
            if el.tail:
                self.buf.append(el.tail)
            return
        tag = tag.lower()
        if tag in _SKIP:
            if el.tail:
                self.buf.append(el.tail)
            return
        if tag in ("pre", "textarea", "xmp", "plaintext"):
            # Preformatted text keeps its tabs and spaces: a table pasted as text is read by them.
            self.flush()
            self.lines.extend(ln.rstrip() for ln in el.text_content().split("\n") if ln.strip())
            if el.tail:
                self.buf.append(el.tail)
            return
        if tag == "table" and not el.xpath(".//table"):
            self.flush()
            self.tables.append(_grid(el, len(self.tables), len(self.lines)))
            if el.tail:
                self.buf.append(el.tail)
            return
        block = tag in _BLOCK or tag in ("td", "th")
        if block:
            self.flush()
        if tag == "br":
            self.buf.append("\n")
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
        if block:
            self.flush()
        if el.tail:
            self.buf.append(el.tail)


def _cell_text(el: etree._Element) -> str:
    walker = _Walker()
    if el.text:
        walker.buf.append(el.text)
    for child in el:
        walker.walk(child)
    walker.flush()
    return "\n".join(walker.lines)


def _span(el: etree._Element, name: str) -> int:
    raw = (el.get(name) or "1").strip()
    m = re.match(r"\d+", raw)
    return max(1, min(int(m.group()) if m else 1, MAX_SPAN))


def _grid(table: etree._Element, index: int, after_line: int) -> Table:
    rows = [tr for tr in table.iter("tr") if _owner(tr) is table]
    grid: dict[tuple[int, int], GridCell] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            text = _cell_text(td)
            rowspan = min(_span(td, "rowspan"), len(rows) - r)
            colspan = _span(td, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = GridCell(text, merged=(dr, dc) != (0, 0))
            c += colspan
            width = max(width, c)
    out = []
    for r in range(len(rows)):
        out.append(tuple(grid.get((r, c), GridCell("", pad=True)) for c in range(width)))
    return Table(rows=tuple(out), index=index, after_line=after_line)


def _owner(tr: etree._Element) -> etree._Element | None:
    parent = tr.getparent()
    while parent is not None and not (isinstance(parent.tag, str) and parent.tag.lower() == "table"):
        parent = parent.getparent()
    return parent
