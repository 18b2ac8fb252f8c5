"""Writing an export to a file so that a failure never leaves an empty or half-written workbook behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

NOT_XLSX = "输出文件名应以 .xlsx 结尾：{path}"
NO_DIRECTORY = "输出目录不存在：{path}"


class OutputError(ValueError):
    """A target path that cannot be written; the message is for the user."""


def check_xlsx_path(path: str | os.PathLike) -> Path:
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise OutputError(NOT_XLSX.format(path=target))
    if not target.parent.resolve().is_dir():
        raise OutputError(NO_DIRECTORY.format(path=target.parent))
    return target


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> object:
    """Call `write(stream)` on a temporary file beside `path` and move it into place only when it succeeded."""
    target = check_xlsx_path(path)
    fd, tmp = tempfile.mkstemp(prefix=".nianbao-", suffix=".xlsx", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            result = write(stream)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result
