"""Document → ParsedReport: one engine for every format.

The grid engine reads the tables a document really has; what is not found there (a plain text
file, a table pasted as text) is read from the running text by the text engine. The assembler maps
rows onto the template, inference fills only what the identities prove, and every cell that stays
empty without being blank in the source is named by a warning.
"""

from __future__ import annotations

from dataclasses import replace

from reports import canonical
from reports.parsing.assemble import Assembly, assemble
from reports.parsing.document import Box, Document
from reports.parsing.infer import choose_columns, infer
from reports.parsing.normalize import UNREADABLE
from reports.parsing.rows import TableRows
from reports.parsing.sections import Meta, analyse
from reports.parsing.tables import read_grids
from reports.parsing.textgrid import read_text
from reports.parsing.types import SECTION_LABELS, ParsedReport, ParseError, ParseWarning

NOT_A_REPORT = "{name} 不是政府信息公开工作年度报告：找不到表二、表三、表四，也找不到报告的六个部分"


def build_report(doc: Document, *, source: str, fmt: str, sha256: str) -> ParsedReport:
    rows = _rows(doc)
    table_texts = [c.text for t in doc.tables for r in t.rows for c in r if c.text and not c.merged]
    meta = analyse(doc, table_texts)
    if not rows.found and not rows.t3 and len(meta.headings) < 2:
        raise ParseError("not_a_report", NOT_A_REPORT.format(name=source))
    asm = assemble(rows, meta.template)
    # A 2019 report has no （六）1/2 rows: those cells stay empty rather than be proved 0.
    exclude = canonical.NOT_IN_2019 if meta.template == "2019" else frozenset()
    readings = None
    if doc.ocr:
        from reports.parsing.ocr_vet import vet

        readings = vet(asm, doc, exclude)  # numbers read from pictures: only the sure and confirmed ones stay
    choose_columns(asm, exclude)
    infer(asm, exclude=exclude, readings=readings)
    _cover_missing(asm)
    _image_pages(doc, asm)
    _place_boxes(doc, asm)
    warnings = _meta_warnings(meta) + asm.warnings
    legacy = asm.legacy or None
    return ParsedReport(
        source=source,
        format=fmt,
        sha256=sha256,
        agency=meta.agency,
        year=meta.year,
        template=meta.template,
        title=meta.title,
        publication_date=meta.publication_date,
        sections=meta.sections,
        values={k: asm.values[k] for k in canonical.ALL_KEYS},
        provenance={k: asm.provenance[k] for k in canonical.ALL_KEYS},
        warnings=tuple(warnings),
        printed_subtotals=asm.subtotals,
        printed_breaks=tuple(rows.breaks) + tuple(asm.breaks),
        legacy_2019=legacy,
        sections_found=meta.sections_found,
        text=doc.text,
    )


def _rows(doc: Document) -> TableRows:
    rows = read_grids(doc) if doc.tables else TableRows()
    wanted = {t for t in ("t2", "t3", "t4") if not rows.rows(t)}
    if wanted and doc.lines:
        text_rows = read_text(doc, wanted)
        for t in wanted:
            rows.rows(t).extend(text_rows.rows(t))
            if t in text_rows.found:
                rows.found.add(t)
        rows.notes.extend(text_rows.notes)
        rows.breaks.extend(text_rows.breaks)
    return rows


def _cover_missing(asm: Assembly) -> None:
    """Every cell left empty without being blank in the source must be named by some warning."""
    named = {k for w in asm.warnings for k in w.keys}
    for k in canonical.ALL_KEYS:
        if k not in asm.provenance:
            asm.missing(k)
    unnamed = [k for k in canonical.ALL_KEYS if asm.is_unknown(k) and k not in named]
    if unnamed:
        asm.warn("W_MISSING_CELL", f"{len(unnamed)} 个单元格未能读取", unnamed)


def _place_boxes(doc: Document, asm: Assembly) -> None:
    """Give each cell read from a page the box it stands in (its grid cell, or its line of running text)."""
    for key, src in asm.provenance.items():
        box = box_of(doc, src.table, src.row, src.col, src.line)
        if box is not None and src.box is None:  # a cell read by OCR has its box on the picture as scanned
            asm.provenance[key] = replace(src, box=box)


def box_of(doc: Document, table: int | None, row: int | None, col: int | None, line: int | None) -> Box | None:
    """The box of a grid cell (table, row, col) or of a line of running text, where the reader knows it."""
    if table is not None and row is not None and col is not None:
        if table < len(doc.tables) and row < len(doc.tables[table].rows) and col < len(doc.tables[table].rows[row]):
            return doc.tables[table].rows[row][col].box
        return None
    if line is not None and 0 < line <= len(doc.lines):
        return doc.lines[line - 1].box
    return None


def _image_pages(doc: Document, asm: Assembly) -> None:
    """A table that is incomplete may be a picture pasted into a page that has no text at all."""
    pages = [p for p in doc.metadata.get("image_only_pages", "").split(",") if p.strip()]
    unread = [k for k in canonical.ALL_KEYS if asm.is_unknown(k)]
    if pages and unread:
        asm.warn("W_IMAGE_PAGE", f"第{'、'.join(pages)}页是图片，表格可能是插入的图片，请核对原件", unread)


def _meta_warnings(meta: Meta) -> list[ParseWarning]:
    out = []
    if meta.year is None:
        out.append(ParseWarning("W_NO_YEAR", "无法确定报告年度（标题、统计期限和正文中都没有找到年份）"))
    elif meta.year_source == "body":
        out.append(ParseWarning("W_YEAR_FROM_BODY", f"标题和统计期限中没有年份，年度 {meta.year} 取自正文"))
    if meta.period_year is None:
        out.append(ParseWarning("W_NO_PERIOD", "没有找到统计期限（自某年1月1日起至12月31日止）"))
    elif meta.year is not None and meta.period_year != meta.year:
        out.append(ParseWarning("W_PERIOD_YEAR", f"统计期限的年份 {meta.period_year} 与报告年度 {meta.year} 不一致"))
    if meta.agency is None:
        out.append(ParseWarning("W_NO_AGENCY", "无法从标题中确定报告机关"))
    elif UNREADABLE in meta.agency:
        # A glyph the PDF's font does not map to a character (a browser's print with a fallback font).
        shown = meta.agency.replace(UNREADABLE, "□")
        out.append(ParseWarning("W_AGENCY_UNREADABLE", f"报告机关名称中有无法识别的字符（{shown}），请对照原文核实"))
    if meta.template is None:
        out.append(ParseWarning("W_TEMPLATE_UNKNOWN", "无法判断报告使用的模板版本（2021年版或2019年版）"))
    elif meta.template == "2019":
        out.append(ParseWarning("W_TEMPLATE_2019", "报告使用2019年试行版格式（国办公开办函〔2019〕60号）"))
    missing = [SECTION_LABELS[k] for k in ("overview", "problems", "other") if not meta.sections.get(k)]
    if missing:
        out.append(ParseWarning("W_SECTION_MISSING", "没有找到这些部分：" + "、".join(missing)))
    return out
