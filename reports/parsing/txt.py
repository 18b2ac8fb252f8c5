"""Plain text reader: pasted or exported text in UTF-8, GB18030/GBK or UTF-16; form feeds are page breaks."""

from __future__ import annotations

from reports.parsing.document import Document, TextLine
from reports.parsing.encoding import decode


def read_txt(data: bytes) -> Document:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    lines: list[TextLine] = []
    pages = text.split("\f")
    number = 0
    for page_no, page in enumerate(pages, 1):
        for raw in page.split("\n"):
            number += 1
            lines.append(TextLine(raw, number, page_no if len(pages) > 1 else None))
    return Document("txt", lines=tuple(lines), pages=len(pages) if len(pages) > 1 else None)
