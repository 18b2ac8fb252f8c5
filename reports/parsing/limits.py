"""Bounds on what one upload may expand to — pure Python, like the rest of the parser.

Every zip-based format (.docx, .xlsx, a .wps/.et saved as OOXML, and .zip piles) is checked from the archive's
central directory before anything is decompressed: the number of members, each member's and the total expanded
size, and each member's compression ratio (a deflate bomb expands about a thousandfold). The directory can lie,
so reading is capped again while it streams: a member never yields more than it declared, nor more than the
per-member limit. Spreadsheets are read row by row with a cell budget (see xlsx.py), so a sheet of millions of
cells is refused while streaming, not after it was built in memory.

The defaults keep one parse below 400 MB of memory (see benchmarks/bombs.py); callers with their own limits (the
.zip pile upload, from Django settings) pass a ZipLimits.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import BinaryIO

from reports.parsing.types import ParseError

MiB = 1024 * 1024
CHUNK = MiB


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 2000
    max_member_bytes: int = 40 * MiB  # one member expanded (a docx's document.xml, an xlsx sheet)
    max_total_bytes: int = 200 * MiB  # all members expanded
    max_ratio: int = 200  # expanded / compressed, for members expanding to more than ratio_floor
    ratio_floor: int = 1 * MiB


OFFICE = ZipLimits()
# Spreadsheet cells read from one workbook (all sheets), counted while streaming; an annual report has a few
# hundred. Rows count too (a row numbered 1,000,000 makes a million-row grid).
MAX_CELLS = 200_000
MAX_ROWS = 20_000


def _mb(n: int) -> str:
    return f"{n / MiB:.0f} MB" if n >= MiB else f"{n / 1024:.0f} KB"


class TooLarge(ParseError):
    """A document past a limit: refused with a Chinese message, before (or while) it is expanded."""

    def __init__(self, message: str) -> None:
        super().__init__("too_large", message)


def open_zip(data: bytes | BinaryIO, name: str = "文件", limits: ZipLimits = OFFICE) -> zipfile.ZipFile:
    """The archive, opened and checked (see check_zip). Raises ParseError (corrupt) or TooLarge."""
    try:
        archive = zipfile.ZipFile(BytesIO(data) if isinstance(data, bytes | bytearray) else data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise ParseError("corrupt", f"{name} 已损坏或不完整（压缩包无法打开）")
    try:
        check_zip(archive, name, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def check_zip(archive: zipfile.ZipFile, name: str = "文件", limits: ZipLimits = OFFICE) -> list[zipfile.ZipInfo]:
    """Check the central directory against the limits before anything is decompressed; the members."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise TooLarge(f"{name} 内含 {len(infos)} 个部件，超过上限 {limits.max_members} 个，未读取")
    total = 0
    for info in infos:
        check_zip_member(info, limits, f"{name} 中的 {info.filename}")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise TooLarge(
            f"{name} 解压后共 {_mb(total)}，超过上限 {_mb(limits.max_total_bytes)}（可能是压缩炸弹），未读取"
        )
    return infos


def check_zip_member(info: zipfile.ZipInfo, limits: ZipLimits = OFFICE, label: str = "文件") -> None:
    """One member's declared size and compression ratio against the limits."""
    size, packed = info.file_size, max(info.compress_size, 1)
    if size > limits.max_member_bytes:
        raise TooLarge(
            f"{label} 解压后有 {_mb(size)}，超过单个部件的上限 {_mb(limits.max_member_bytes)}（可能是压缩炸弹），未读取"
        )
    if size > limits.ratio_floor and size / packed > limits.max_ratio:
        raise TooLarge(f"{label} 压缩比异常（{size // packed} 倍，上限 {limits.max_ratio} 倍，可能是压缩炸弹），未读取")


def iter_member(
    archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, name: str = "文件", limits: ZipLimits = OFFICE
) -> Iterator[bytes]:
    """A member's bytes in chunks, never more than it declared nor more than the per-member limit."""
    info = member if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member)
    cap = min(info.file_size, limits.max_member_bytes)
    read = 0
    with archive.open(info) as fh:
        while chunk := fh.read(min(CHUNK, cap + 1 - read)):
            read += len(chunk)
            if read > cap:
                raise TooLarge(f"{name} 中的 {info.filename} 解压后超过其声明的大小或上限（可能是压缩炸弹），未读取")
            yield chunk


def read_member(
    archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, name: str = "文件", limits: ZipLimits = OFFICE
) -> bytes:
    """A member's bytes (see iter_member)."""
    return b"".join(iter_member(archive, member, name, limits))


class CellBudget:
    """Counts the cells (and rows) of a spreadsheet as they stream in; refuses past the limit."""

    def __init__(self, name: str = "文件", max_cells: int = MAX_CELLS, max_rows: int = MAX_ROWS) -> None:
        self.name, self.max_cells, self.max_rows = name, max_cells, max_rows
        self.cells = self.rows = 0

    def take(self, cells: int) -> None:
        self.rows += 1
        self.cells += max(cells, 1)
        if self.cells > self.max_cells or self.rows > self.max_rows:
            raise TooLarge(
                f"{self.name} 的表格过大（超过 {self.max_rows:,} 行或 {self.max_cells:,} 个单元格），未读取："
                "年报表格只有几百个单元格，请只保留年报所在的工作表"
            )
