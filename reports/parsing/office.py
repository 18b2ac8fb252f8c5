"""Legacy Word (.doc), WPS (.wps) and RTF: converted to .docx by LibreOffice, then read as .docx.

LibreOffice runs headless in a temporary directory with its own user profile (so it neither
touches nor waits for a desktop session's profile) and under a time limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from reports.parsing.document import Document
from reports.parsing.docx import read_docx
from reports.parsing.types import ParseError

TIMEOUT_SECONDS = 90
NO_CONVERTER = (
    "无法读取 {kind} 文件：本机没有安装 LibreOffice（找不到 soffice 命令）。"
    "请安装 LibreOffice（如 apt-get install libreoffice-writer），或把文件另存为 .docx 或 PDF 后上传"
)


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy_word(data: bytes, fmt: str, name: str = "") -> Document:
    kind = {"doc": "Word 97-2003（.doc）", "wps": "WPS（.wps）", "rtf": "RTF"}.get(fmt, fmt)
    soffice = soffice_path()
    if soffice is None:
        raise ParseError("converter_missing", NO_CONVERTER.format(kind=kind))
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        src = Path(tmp) / f"input.{fmt}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            tmp,
            str(src),
        ]
        env = {**os.environ, "HOME": tmp}
        try:
            subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_SECONDS, check=False, env=env)
        except subprocess.TimeoutExpired:
            raise ParseError("convert_timeout", f"{kind} 文件转换超时（超过 {TIMEOUT_SECONDS} 秒），文件可能已损坏")
        except OSError as exc:
            raise ParseError("convert_failed", f"{kind} 文件转换失败：{exc}")
        out = Path(tmp) / "input.docx"
        if not out.exists() or out.stat().st_size == 0:
            raise ParseError("corrupt", f"{kind} 文件无法转换，可能已损坏或不是 Word 文件")
        doc = read_docx(out.read_bytes())
    return Document(fmt, lines=doc.lines, tables=doc.tables, pages=doc.pages, metadata=doc.metadata)
