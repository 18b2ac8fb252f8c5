"""Uploaded piles: zip members are checked one by one; a bad member never stops the good ones."""

import io
import zipfile

import pytest

from reports.services import batch
from tests.factories import FIXTURES

SAMPLE = FIXTURES / "samples/002_cff4ace8f11033c3.txt"


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_plain_file_passes_through():
    (item,) = batch.expand("a.txt", SAMPLE.read_bytes())
    assert item.data == SAMPLE.read_bytes() and not item.error


def test_docx_is_not_mistaken_for_a_zip_pile():
    data = (FIXTURES / "corpus/generated/r02_docx.docx").read_bytes()
    (item,) = batch.expand("r02.docx", data)
    assert item.data == data and not item.error


def test_zip_members_each_get_their_verdict():
    data = make_zip(
        {
            "reports/good.txt": SAMPLE.read_bytes(),
            "../evil.txt": b"x",
            "inner.zip": make_zip({"a.txt": b"a"}),
            "__MACOSX/._good.txt": b"junk",
        }
    )
    items = {i.name: i for i in batch.expand("pile.zip", data)}
    assert items["pile.zip/reports/good.txt"].data == SAMPLE.read_bytes()
    assert "路径不安全" in items["pile.zip/../evil.txt"].error
    assert "不能再嵌套压缩包" in items["pile.zip/inner.zip"].error
    assert not any("__MACOSX" in name for name in items)


def test_zip_with_too_many_members_is_refused(settings):
    settings.NIANBAO_ZIP_MAX_MEMBERS = 3
    (item,) = batch.expand("many.zip", make_zip({f"{n}.txt": b"x" for n in range(4)}))
    assert "文件过多" in item.error


def test_zip_bomb_is_refused(settings):
    settings.NIANBAO_ZIP_MAX_BYTES = 1024 * 1024
    bomb = make_zip({"big.txt": b"0" * (2 * 1024 * 1024)})  # compresses to a few KB
    assert len(bomb) < 20000
    (item,) = batch.expand("bomb.zip", bomb)
    assert "过大" in item.error


def test_oversized_upload_is_refused(settings):
    settings.NIANBAO_MAX_UPLOAD_BYTES = 1000
    (item,) = batch.expand("big.txt", b"x" * 1001)
    assert "大小上限" in item.error and not item.data


def test_corrupt_zip_is_reported():
    (item,) = batch.expand("broken.zip", make_zip({"a.txt": SAMPLE.read_bytes()})[:100])
    assert "损坏" in item.error


def test_gbk_member_names_are_decoded():
    """Zips made on Chinese Windows store GBK names without the UTF-8 flag."""
    gbk = "二塘乡年报.txt".encode("gbk")
    placeholder = b"x" * (len(gbk) - 4) + b".txt"
    data = make_zip({placeholder.decode(): SAMPLE.read_bytes()}).replace(placeholder, gbk)
    (item,) = batch.expand("pile.zip", data)
    assert item.name == "pile.zip/二塘乡年报.txt"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "空"),
        ("garbage.pdf", b"\x00\x01\x02" * 50, ""),
        ("novel.txt", "从前有座山，山里有座庙。".encode() * 20, "不是政府信息公开工作年度报告"),
    ],
)
def test_unreadable_documents_get_a_message_not_a_traceback(name, data, message):
    parsed, error = batch.parse_incoming(batch.Incoming(name, data))
    assert parsed is None and error and message in error
