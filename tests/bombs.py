"""Hostile Office files, built programmatically (never stored): a .docx whose document.xml expands to a chosen size,
spreadsheets of millions of cells, archives whose directory lies. Shared by the tests and benchmarks/bombs.py."""

from __future__ import annotations

import io
import random
import struct
import zipfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_XLSX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)


def docx_bomb(expanded_bytes: int, *, chunk: int = 1 << 20) -> bytes:
    """A well-formed .docx whose word/document.xml expands to about ``expanded_bytes`` (one huge paragraph)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _DOCX_TYPES)
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        head = f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>'.encode()
        tail = b"</w:t></w:r></w:p></w:body></w:document>"
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            left = expanded_bytes - len(head) - len(tail)
            block = b"A" * chunk
            while left > 0:
                fh.write(block[: min(chunk, left)])
                left -= chunk
            fh.write(tail)
    return out.getvalue()


def xlsx_cells(
    n_cells: int, *, columns: int = 100, random_values: bool = False, dimension: str | None = None, refs: bool = False
) -> bytes:
    """A minimal .xlsx with one sheet of ``n_cells`` numeric cells. Without cell references and with one repeated
    value it compresses a few hundredfold (two million cells in about 100 KB); random values compress badly and
    pass any ratio check."""
    rng = random.Random(7)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        _xlsx_parts(z)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0"?><worksheet xmlns="{S_NS}">'.encode())
            if dimension:
                fh.write(f'<dimension ref="{dimension}"/>'.encode())
            fh.write(b"<sheetData>")
            rows = -(-n_cells // columns)
            written = 0
            for r in range(1, rows + 1):
                cells = []
                for c in range(min(columns, n_cells - written)):
                    value = rng.randrange(10**9) if random_values else 1
                    ref = f' r="{_col(c)}{r}"' if refs else ""
                    cells.append(f"<c{ref}><v>{value}</v></c>")
                written += len(cells)
                fh.write(f"<row>{''.join(cells)}</row>".encode())
            fh.write(b"</sheetData></worksheet>")
    return out.getvalue()


def xlsx_far_row(row: int) -> bytes:
    """A .xlsx with a single cell, in row ``row`` (a sheet a million rows tall if the rows in between are made)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        _xlsx_parts(z)
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet xmlns="{S_NS}"><sheetData>'
            f'<row r="{row}"><c r="A{row}"><v>1</v></c></row></sheetData></worksheet>',
        )
    return out.getvalue()


def _xlsx_parts(z: zipfile.ZipFile) -> None:
    z.writestr("[Content_Types].xml", _XLSX_TYPES)
    z.writestr(
        "_rels/.rels",
        f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
    )
    z.writestr(
        "xl/workbook.xml",
        f'<?xml version="1.0"?><workbook xmlns="{S_NS}" xmlns:r="{R_NS}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    )
    z.writestr(
        "xl/_rels/workbook.xml.rels",
        f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
    )


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def lying_sizes(archive: bytes, member: str, declared: int) -> bytes:
    """The archive with ``member``'s uncompressed size rewritten to ``declared`` in both of its headers (the data
    still expands to the real size): a directory check alone would let it through."""
    data = bytearray(archive)
    name = member.encode()
    # central directory entry: signature, …, uncompressed size at offset 24, name length at 28, name at 46
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_len]) == name:
            struct.pack_into("<I", data, pos + 24, declared)
            local = struct.unpack_from("<I", data, pos + 42)[0]
            struct.pack_into("<I", data, local + 22, declared)  # local header: uncompressed size at 22
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return out.getvalue()
