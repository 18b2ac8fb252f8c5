"""``manage.py parse_report``: JSON lines valid against the schema, errors per file, exit status."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from tests.parsing.helpers import CORPUS, EXPECTED, SAMPLES, SCHEMA, compare, load_label

GOOD = [
    SAMPLES / "000_0644fa4e77b34486.txt",
    CORPUS / "generated" / "r02_docx.docx",
    CORPUS / "real" / "003_huaian_shi_2024.pdf",
]


def _run(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("parse_report", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(str(exc))
        code = exc.returncode
    return out.getvalue(), err.getvalue(), code


def test_json_lines_are_valid_records() -> None:
    out, err, code = _run(*map(str, GOOD), "--json")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == len(GOOD)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for line, path in zip(lines, GOOD, strict=True):
        record = json.loads(line)
        jsonschema.validate(record, schema)
        assert record["source"] == path.name
        assert record["template"] == "2021"
        assert isinstance(record["warnings"], list) and isinstance(record["provenance"], dict)
        label_path = EXPECTED / f"{path.stem}.json" if path.parent == SAMPLES else path.with_suffix(".json")
        wrong, missing = compare(load_label(label_path), _flat(record))
        assert not wrong and not missing


def _flat(record: dict) -> dict:  # type: ignore[type-arg]
    from reports import canonical

    return canonical.flatten(record)


def test_a_bad_file_among_good_ones(tmp_path: Path) -> None:
    bad = tmp_path / "损坏.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    out, err, code = _run(str(GOOD[0]), str(bad), str(GOOD[1]), "--json")
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["source"] for r in records] == [GOOD[0].name, "损坏.docx", GOOD[1].name]
    assert records[1]["error"]["code"] == "corrupt"
    assert "损坏.docx" in err and "无法读取" in err
    assert "active_disclosure" in records[2]


def test_tables_for_a_person() -> None:
    out, _, code = _run(str(CORPUS / "real" / "001_huaian_hongze_qu_2023.pdf"))
    assert code == 0
    assert "表二" in out and "表三" in out and "表四" in out
    assert "洪泽区人民政府" in out and "7730.28" in out
    assert "W_SINGLE_OTHER_ROW" in out  # the warnings are printed under the tables


def test_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    out, err, code = _run(str(tmp_path / "nope.pdf"))
    assert code == 1 and "nope.pdf" in err and "Traceback" not in err + out


@pytest.mark.slow
def test_command_line_exit_status(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    env = {"DEBUG": "on", "PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "manage.py", "parse_report", str(GOOD[0]), str(empty), "--json"],
        cwd=root, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "empty.txt" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stdout.splitlines()) == 2
