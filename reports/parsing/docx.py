"""Word (.docx) reader: paragraphs and tables in body order, merged cells expanded.

Reads ``word/document.xml`` directly (python-docx builds far more than is needed here): a
horizontal merge is ``w:gridSpan``, a vertical one ``w:vMerge`` (``restart`` opens it, an empty
value continues it); ``w:gridBefore``/``w:gridAfter`` skip grid columns. Content controls
(``w:sdt``) and tracked insertions are read through; deleted text is not.
"""

from __future__ import annotations

import zipfile

from lxml import etree

from reports.parsing.document import Document, GridCell, Table, TextLine
from reports.parsing.limits import open_zip, read_member
from reports.parsing.types import ParseError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
MAX_SPAN = 200
CORRUPT = "Word 文件已损坏或不完整，无法读取"


def read_docx(data: bytes) -> Document:
    try:
        with open_zip(data, "Word 文件") as z:  # bounded: member count, sizes and ratio (limits.py)
            xml = read_member(z, "word/document.xml", "Word 文件")
            core = read_member(z, "docProps/core.xml", "Word 文件") if "docProps/core.xml" in z.namelist() else None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, zipfile.LargeZipFile):
        raise ParseError("corrupt", CORRUPT)
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        raise ParseError("corrupt", CORRUPT)
    body = root.find(f"{W}body")
    if body is None:
        raise ParseError("corrupt", CORRUPT)
    reader = _Reader()
    reader.block(body)
    return Document("docx", lines=tuple(reader.lines), tables=tuple(reader.tables), metadata=_core_metadata(core))


class _Reader:
    def __init__(self) -> None:
        self.lines: list[TextLine] = []
        self.tables: list[Table] = []

    def block(self, parent: etree._Element) -> None:
        for el in parent:
            tag = el.tag
            if tag == f"{W}p":
                text = _paragraph_text(el)
                if text.strip():
                    self.lines.append(TextLine(text.strip(), len(self.lines) + 1))
            elif tag == f"{W}tbl":
                self.tables.append(_table(el, len(self.tables), len(self.lines)))
            elif tag in (f"{W}sdt", f"{W}customXml", f"{W}ins"):
                content = el.find(f"{W}sdtContent")
                self.block(content if content is not None else el)


def _paragraph_text(p: etree._Element) -> str:
    parts: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}delText", f"{W}noBreakHyphen"):
        if el.tag == f"{W}t":
            parts.append(el.text or "")
        elif el.tag == f"{W}tab":
            parts.append("\t")
        elif el.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif el.tag == f"{W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    texts = []
    for el in tc:
        if el.tag == f"{W}p":
            texts.append(_paragraph_text(el).strip())
        elif el.tag == f"{W}tbl":  # a table inside a cell: its text belongs to the cell
            texts.extend(_cell_text(inner) for inner in el.iter(f"{W}tc"))
        elif el.tag == f"{W}sdt":
            content = el.find(f"{W}sdtContent")
            if content is not None:
                texts.append(_cell_text(content))
    return "\n".join(t for t in texts if t)


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(f"{W}val", default)), MAX_SPAN))
    except ValueError:
        return default


def _table(tbl: etree._Element, index: int, after_line: int) -> Table:
    rows: list[list[GridCell]] = []
    # Column → (text, row index) of the vertical merge open in that column.
    open_merge: dict[int, str] = {}
    for tr in tbl.iter(f"{W}tr"):
        if _owner_table(tr) is not tbl:
            continue
        pr = tr.find(f"{W}trPr")
        col = _int_attr(pr.find(f"{W}gridBefore") if pr is not None else None, 0)
        row: list[GridCell] = [GridCell("") for _ in range(col)]
        for tc in _cells(tr):
            tcpr = tc.find(f"{W}tcPr")
            span = max(1, _int_attr(tcpr.find(f"{W}gridSpan") if tcpr is not None else None, 1))
            vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
            if vmerge is not None and vmerge.get(f"{W}val", "continue") != "restart":
                text = open_merge.get(col, "")
                cells = [GridCell(text, merged=True) for _ in range(span)]
            else:
                text = _cell_text(tc)
                cells = [GridCell(text, merged=i > 0) for i in range(span)]
                for i in range(span):
                    if vmerge is not None:
                        open_merge[col + i] = text
                    else:
                        open_merge.pop(col + i, None)
            row.extend(cells)
            col += span
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    grid = tuple(tuple(r + [GridCell("", pad=True)] * (width - len(r))) for r in rows)
    return Table(rows=grid, index=index, after_line=after_line)


def _cells(tr: etree._Element) -> list[etree._Element]:
    out = []
    for el in tr:
        if el.tag == f"{W}tc":
            out.append(el)
        elif el.tag in (f"{W}sdt", f"{W}customXml"):
            content = el.find(f"{W}sdtContent")
            out.extend(c for c in (content if content is not None else el) if c.tag == f"{W}tc")
    return out


def _owner_table(tr: etree._Element) -> etree._Element | None:
    parent = tr.getparent()
    while parent is not None and parent.tag != f"{W}tbl":
        parent = parent.getparent()
    return parent


def _core_metadata(core: bytes | None) -> dict[str, str]:
    if not core:
        return {}
    try:
        root = etree.fromstring(core, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return {}
    out = {}
    for key, tag in (("title", f"{DC}title"), ("author", f"{DC}creator"), ("created", f"{DCTERMS}created")):
        el = root.find(tag)
        if el is not None and el.text and el.text.strip():
            out[key] = el.text.strip()
    return out
