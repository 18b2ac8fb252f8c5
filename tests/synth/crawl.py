"""A portal page as crawler text: the markup's own text nodes, tags dropped, a line break after each block.

``tight=False`` keeps the page's pretty-printing (lines of tabs around each cell, one cell a line);
``tight=True`` drops the whitespace between tags and the paragraphs inside cells, so a row's cells run
together ("一、本年新收…5620000058"; a row without its label as a line of digits alone, "0100001").
Used by the parser tests and benchmarks/crawl.py.
"""

from __future__ import annotations

import lxml.html

BLOCKS = ("p", "div", "h1", "h2", "h3", "tr", "br", "li", "table")


def crawl(data: bytes, *, tight: bool = False) -> bytes:
    root = lxml.html.fromstring(data)
    for el in root.xpath("//script|//style"):
        el.drop_tree()
    if tight:
        for el in root.xpath("//td//p|//td//span|//td//div|//td//br"):
            el.drop_tag()
        for el in root.iter():
            el.text = (el.text or "").strip() or None
            el.tail = (el.tail or "").strip() or None
    for el in root.iter():
        if el.tag in BLOCKS:
            el.tail = (el.tail or "") + "\n"
    return root.text_content().encode("utf-8")
