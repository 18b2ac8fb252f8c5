"""Process-pool entry points. Pure Python (no Django), so workers start clean with the forkserver method.

``safe_parse`` is what a background job calls for one uploaded document, scans included: OCR runs inside
``parse_document`` (seconds per scanned page; ``reports.parsing.ocr_pages(data, name)`` says beforehand how
many pages a document would have read by OCR, to send those to the queue).
"""

from __future__ import annotations

import logging
from pathlib import Path

from reports.parsing import ParsedReport, ParseError, parse_document

logger = logging.getLogger("nianbao")

INTERNAL_ERROR = "解析时发生内部错误（{name}），文件未导入，请联系管理员。"


def safe_parse(name: str, data: bytes) -> tuple[ParsedReport | None, str]:
    """Parse one document; any failure becomes a Chinese message, never a traceback."""
    try:
        return parse_document(data, Path(name).name), ""
    except ParseError as exc:
        return None, exc.message
    except Exception as exc:  # a reader bug must not take the batch down; the file is reported, not imported
        logger.exception("parser failed on %s", name)
        return None, INTERNAL_ERROR.format(name=type(exc).__name__)


def parse_job(job: tuple[str, bytes, str]) -> tuple[ParsedReport | None, str]:
    name, data, error = job
    if error:
        return None, error
    return safe_parse(name, data)
