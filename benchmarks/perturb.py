"""The parser on the labelled corpus documents, perturbed the way hand edits, portals and converters damage
them. Run by hand; prints figures, asserts nothing.

    .venv/bin/python benchmarks/perturb.py [--runs 300] [--corpus ../shared/corpus] [--show 5]

Each run takes one document of a format at random and applies one to three perturbations:

- html: zero cells emptied, td→th, non-breaking spaces around numbers, 表三 cut into two tables without
  restarting the label cells that spanned the cut, full-width digits, sub-row labels deleted, a row deleted or
  duplicated inside a rowspan (which then runs past, or stops short of, its group), units after numbers ("3件"),
  header rows removed, the page wrapped in a layout table;
- docx: a 表三 row deleted or duplicated, the table split in two, zero cells emptied;
- xlsx: totals turned into formulas (no cached value), numbers stored as text, a column inserted, a row
  deleted, merged cells unmerged;
- layout text (pdftotext -layout): a 表三 line deleted or duplicated, a line's spaces collapsed, a page break
  with the next page's grid shifted, the column headers removed;
- pdf: a docx perturbed as above, then printed to PDF by LibreOffice (``--pdf N`` documents; a few seconds each);
- browser pdf: an html perturbed as above, then printed to PDF by Chromium, as a reviewer saves a portal page
  (``--browser N`` documents; /usr/bin/chromium).

A cell counts as wrong when the parser gives a number and the label another (a perturbation that deletes a
labelled row leaves its cells to inference, which may give the consistent figures of a report with a planted
defect: those count as wrong here too, so the figure is an upper bound). "Read" is the share of the label's
non-zero cells read right.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import random
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402
import openpyxl  # noqa: E402
from lxml import etree  # noqa: E402

from reports import canonical  # noqa: E402
from reports.parsing import parse_document  # noqa: E402

# --------------------------------------------------------------------------------------------------- html


def _t3_table(root):
    return next((t for t in root.iter("table") if "本年新收" in t.text_content() and not t.xpath(".//table")), None)


def _set_text(cell, text: str) -> None:
    for child in list(cell):
        cell.remove(child)
    cell.text = text


def _numeric_cells(root):
    return [td for td in root.iter("td") if re.fullmatch(r"\d+", td.text_content().strip())]


def h_blank_zero(root, rng):
    for td in _numeric_cells(root):
        if td.text_content().strip() == "0" and rng.random() < 0.7:
            _set_text(td, "")
    return "zeros emptied"


def h_th(root, rng):
    for td in list(root.iter("td")):
        if rng.random() < 0.3:
            td.tag = "th"
    return "th cells"


def h_nbsp(root, rng):
    for td in _numeric_cells(root):
        if rng.random() < 0.5:
            _set_text(
                td, rng.choice(["\u00a0", " ", "\u3000"]) + td.text_content().strip() + rng.choice(["\u00a0", ""])
            )
    return "nbsp"


def h_fullwidth(root, rng):
    for td in _numeric_cells(root):
        if rng.random() < 0.5:
            _set_text(td, td.text_content().strip().translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    return "full-width digits"


def h_units(root, rng):
    for td in _numeric_cells(root):
        if rng.random() < 0.3:
            _set_text(td, td.text_content().strip() + rng.choice(["件", " 件"]))
    return "units"


def h_split(root, rng):
    table = _t3_table(root)
    if table is None:
        return None
    rows = list(table.iter("tr"))
    cut = rng.randint(len(rows) // 3, len(rows) - 3)
    second = lxml.html.Element("table")
    for tr in rows[cut:]:
        tr.getparent().remove(tr)
        second.append(tr)
    table.addnext(second)
    return "table cut without restarting spans"


def h_drop_sub_labels(root, rng):
    table = _t3_table(root)
    if table is None:
        return None
    for td in table.iter("td"):
        if re.match(r"^\s*\d[.．]", td.text_content()) and rng.random() < 0.5:
            _set_text(td, "")
    return "sub-row labels deleted"


def _data_rows(root):
    table = _t3_table(root)
    if table is None:
        return []
    return [r for r in table.iter("tr") if re.search(r"\d", r.text_content()) and not r.xpath(".//*[@rowspan]")]


def h_delete_row(root, rng):
    rows = _data_rows(root)
    if not rows:
        return None
    row = rng.choice(rows)
    row.getparent().remove(row)
    return "row deleted"


def h_duplicate_row(root, rng):
    rows = _data_rows(root)
    if not rows:
        return None
    row = rng.choice(rows)
    row.addnext(copy.deepcopy(row))
    return "row duplicated"


def h_no_header(root, rng):
    table = _t3_table(root)
    if table is None:
        return None
    for tr in list(table.iter("tr")):
        if "本年新收" in tr.text_content():
            break
        if not tr.xpath(".//*[@rowspan]"):
            tr.getparent().remove(tr)
    return "header rows removed"


def h_wrap(root, rng):
    body = root.find(".//body")
    if body is None:
        return None
    outer = lxml.html.Element("table")
    cell = etree.SubElement(etree.SubElement(outer, "tr"), "td")
    for child in list(body):
        body.remove(child)
        cell.append(child)
    body.append(outer)
    return "layout table"


HTML = [h_blank_zero, h_th, h_nbsp, h_fullwidth, h_units, h_split, h_drop_sub_labels, h_delete_row,
        h_duplicate_row, h_no_header, h_wrap]  # fmt: skip


def perturb_html(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    root = lxml.html.fromstring(data)
    done = [p(root, rng) for p in rng.sample(HTML, rng.randint(1, 3))]
    return lxml.html.tostring(root, encoding="utf-8"), [d for d in done if d]


# --------------------------------------------------------------------------------------------------- docx

_TR = re.compile(r"<w:tr[ >].*?</w:tr>", re.S)


def _t3_trs(xml: str):
    trs = list(_TR.finditer(xml))
    texts = [re.sub(r"<[^>]+>", "", m.group()) for m in trs]
    a = next((i for i, t in enumerate(texts) if "本年新收" in t), None)
    b = next((i for i, t in enumerate(texts) if a is not None and i > a and "结转下年度" in t), None)
    return trs, a, b


def d_delete(xml, rng):
    trs, a, b = _t3_trs(xml)
    if a is None or b is None:
        return xml, None
    m = trs[rng.randint(a + 1, b - 1)]
    return xml[: m.start()] + xml[m.end() :], "row deleted"


def d_duplicate(xml, rng):
    trs, a, b = _t3_trs(xml)
    if a is None or b is None:
        return xml, None
    m = trs[rng.randint(a + 1, b - 1)]
    return xml[: m.end()] + m.group() + xml[m.end() :], "row duplicated"


def d_split(xml, rng):
    trs, a, b = _t3_trs(xml)
    if a is None or b is None:
        return xml, None
    m = trs[rng.randint(a + 3, b)]
    start = xml.rfind("<w:tbl>", 0, m.start())
    end = xml.find("</w:tblGrid>", start)
    if start < 0 or end < 0:
        return xml, None
    head = xml[start : end + len("</w:tblGrid>")]
    return xml[: m.start()] + "</w:tbl><w:p><w:r><w:t>- 3 -</w:t></w:r></w:p>" + head + xml[m.start() :], "split"


def d_blank_zero(xml, rng):
    return re.sub(r"<w:t>0</w:t>", lambda m: "<w:t></w:t>" if rng.random() < 0.6 else m.group(), xml), "zeros emptied"


def perturb_docx(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    src = zipfile.ZipFile(io.BytesIO(data))
    xml = src.read("word/document.xml").decode("utf-8")
    done = []
    for p in rng.sample([d_delete, d_duplicate, d_split, d_blank_zero], rng.randint(1, 2)):
        xml, what = p(xml, rng)
        done.append(what)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, xml.encode("utf-8") if item.filename == "word/document.xml" else src.read(item.filename))
    return out.getvalue(), [d for d in done if d]


# --------------------------------------------------------------------------------------------------- xlsx


def _sheet_rows(ws):
    return [row[0].row for row in ws.iter_rows() if sum(isinstance(c.value, (int, float)) for c in row) >= 2]


def x_formulas(ws, rng):
    for r in _sheet_rows(ws):
        cells = [c for c in ws[r] if isinstance(c.value, (int, float))]
        if rng.random() < 0.5:
            cells[-1].value = f"=SUM({cells[0].coordinate}:{cells[-2].coordinate})"
    return "totals as formulas"


def x_text(ws, rng):
    for r in _sheet_rows(ws):
        for c in ws[r]:
            if isinstance(c.value, int) and rng.random() < 0.3:
                c.value = str(c.value)
    return "numbers as text"


def x_insert_col(ws, rng):
    rows = _sheet_rows(ws)
    if not rows:
        return None
    ws.insert_cols(rng.choice([c.column for c in ws[rows[0]] if isinstance(c.value, (int, float))]))
    return "column inserted"


def x_delete_row(ws, rng):
    rows = _sheet_rows(ws)
    if not rows:
        return None
    ws.delete_rows(rng.choice(rows))
    return "row deleted"


def x_unmerge(ws, rng):
    for m in list(ws.merged_cells.ranges):
        if rng.random() < 0.5:
            try:
                ws.unmerge_cells(str(m))
            except KeyError:  # openpyxl cannot unmerge a range whose cells it did not keep
                pass
    return "unmerged"


def perturb_xlsx(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    done = [p(ws, rng) for ws in wb.worksheets for p in rng.sample([x_formulas, x_text, x_insert_col, x_delete_row,
                                                                     x_unmerge], rng.randint(1, 2))]  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), [d for d in done if d]


# ----------------------------------------------------------------------------------------------- layout text


def _t3_lines(lines: list[str]) -> list[int]:
    a = next((i for i, ln in enumerate(lines) if "本年新收" in ln), None)
    b = next((i for i, ln in enumerate(lines) if a is not None and i > a and "结转下年度" in ln), None)
    if a is None or b is None:
        return []
    return [i for i in range(a, b + 1) if re.search(r"\d\s*$", lines[i])]


def t_delete(lines, rng):
    rows = _t3_lines(lines)
    if not rows:
        return None
    del lines[rng.choice(rows)]
    return "line deleted"


def t_duplicate(lines, rng):
    rows = _t3_lines(lines)
    if not rows:
        return None
    i = rng.choice(rows)
    lines.insert(i, lines[i])
    return "line duplicated"


def t_collapse(lines, rng):
    rows = _t3_lines(lines)
    if not rows:
        return None
    i = rng.choice(rows)
    lines[i] = re.sub(r" {2,}", " ", lines[i])
    return "spaces collapsed"


def t_page_break(lines, rng):
    rows = _t3_lines(lines)
    if len(rows) < 4:
        return None
    cut, end = rng.randint(rows[0] + 3, rows[-1]), rows[-1]
    shift = rng.choice([-4, 3, 4, 6])
    for i in range(cut, end + 1):
        lines[i] = " " * shift + lines[i] if shift > 0 else re.sub(f"^ {{0,{-shift}}}", "", lines[i])
    lines[cut:cut] = ["", "- 3 -", "\f"]
    return "page break"


def t_no_header(lines, rng):
    rows = _t3_lines(lines)
    if not rows:
        return None
    top = next((i for i in range(rows[0] - 1, max(rows[0] - 12, 0), -1) if "收到和处理" in lines[i]), None)
    if top is None:
        return None
    del lines[top + 1 : rows[0]]
    return "header removed"


def perturb_text(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    lines = data.decode("utf-8").split("\n")
    done = [p(lines, rng) for p in rng.sample([t_delete, t_duplicate, t_collapse, t_page_break, t_no_header],
                                                rng.randint(1, 2))]  # fmt: skip
    return "\n".join(lines).encode("utf-8"), [d for d in done if d]


def perturb_pdf(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    import subprocess
    import tempfile

    from reports.parsing.office import soffice_path

    docx, done = perturb_docx(data, rng)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "perturbed.docx"
        src.write_bytes(docx)
        subprocess.run([soffice_path(), "--headless", "--convert-to", "pdf", "--outdir", tmp, str(src)],
                       capture_output=True, timeout=300, check=True)  # fmt: skip
        return (Path(tmp) / "perturbed.pdf").read_bytes(), done


def perturb_browser_pdf(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    import subprocess
    import tempfile

    page, done = perturb_html(data, rng)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "page.html", Path(tmp) / "page.pdf"
        src.write_bytes(page)
        subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--no-pdf-header-footer", f"--print-to-pdf={out}",
                        src.as_uri()], capture_output=True, timeout=300, check=True)  # fmt: skip
        return out.read_bytes(), done


# ------------------------------------------------------------------------------------------------------ run

FORMATS: dict[str, tuple[str, Callable[[bytes, random.Random], tuple[bytes, list[str]]]]] = {
    "html": ("*.html", perturb_html),
    "docx": ("*.docx", perturb_docx),
    "xlsx": ("*.xlsx", perturb_xlsx),
    "layout text": ("*_txt_layout.txt", perturb_text),
    "pdf": ("*.docx", perturb_pdf),
    "browser pdf": ("*.html", perturb_browser_pdf),
}


def _label(doc: Path) -> dict[str, object]:
    def flat(tree: dict, prefix: str = "") -> dict:
        out: dict = {}
        for k, v in tree.items():
            out.update(flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
        return out

    label = json.loads(doc.with_suffix(".json").read_text(encoding="utf-8"))
    return {k: v for k, v in flat(label).items() if k in canonical.ALL_KEYS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300, help="perturbed documents per format")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--show", type=int, default=5, help="documents with wrong cells to list per format")
    parser.add_argument("--pdf", type=int, default=0, help="perturbed docx printed to PDF by LibreOffice")
    parser.add_argument("--browser", type=int, default=0, help="perturbed html printed to PDF by Chromium")
    args = parser.parse_args()
    print(f"{'format':12} {'documents':>9} {'wrong cells':>11} {'in documents':>12} {'read':>8}")
    for name, (pattern, perturb) in FORMATS.items():
        docs = sorted(p for p in args.corpus.glob(f"*/{pattern}") if p.with_suffix(".json").exists())
        rng = random.Random(name)
        runs = {"pdf": args.pdf, "browser pdf": args.browser}.get(name, args.runs)
        if not runs:
            continue
        wrong_cells = wrong_docs = read = printed = 0
        shown = []
        for _ in range(runs):
            doc = rng.choice(docs)
            label = _label(doc)
            data, done = perturb(doc.read_bytes(), rng)
            parsed = parse_document(data, "perturbed.pdf" if "pdf" in name else f"perturbed{doc.suffix}")
            wrong = [
                k
                for k in canonical.ALL_KEYS
                if parsed.values[k] is not None and float(parsed.values[k]) != float(label.get(k) or 0)  # type: ignore[arg-type]
            ]
            wrong_cells += len(wrong)
            wrong_docs += bool(wrong)
            if wrong and len(shown) < args.show:
                shown.append(f"  {doc.name}: {', '.join(done)} -> {', '.join(wrong[:3])}")
            for k in canonical.ALL_KEYS:
                if label.get(k):
                    printed += 1
                    read += parsed.values[k] is not None and float(parsed.values[k]) == float(label[k])  # type: ignore[arg-type]
        print(f"{name:12} {runs:>9} {wrong_cells:>11} {wrong_docs:>12} {read / printed:>8.2%}")
        for line in shown:
            print(line)


if __name__ == "__main__":
    main()
