"""Benchmark of rule evaluation (run by hand: ``.venv/bin/python benchmarks/rules.py [rounds]``).

Evaluates every labelled report of tests/fixtures — as bare tables, and with a narrative (the sample
texts' sections), a title, a publication date and a previous year's report attached, the worst case —
and prints the per-report mean, median and p95 in milliseconds. Target: ≤ 5 ms per report.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.rules import ReportFacts, evaluate  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
HEADING = re.compile(
    r"^\s*(?:[一二三四五六]|[1-6])[、.．]\s*(?P<h>总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况"
    r"|政府信息公开行政复议、?行政诉讼情况|存在的主要问题及改进(?:情况|措施)|其他需要报告的事项)",
    re.MULTILINE,
)


def sample_sections() -> list[dict[str, str]]:
    out = []
    for path in sorted((FIXTURES / "samples").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        heads = list(HEADING.finditer(text))
        sections = {"preamble": text[: heads[0].start()] if heads else ""}
        for head, nxt in zip(heads, [*heads[1:], None], strict=True):
            key = {"总体情况": "overview", "其他需要报告的事项": "other"}.get(head["h"])
            key = "problems" if head["h"].startswith("存在") else key
            if key:
                sections[key] = text[head.end() : nxt.start() if nxt else len(text)]
        out.append(sections)
    return out


def reports() -> list[ReportFacts]:
    labels = sorted((FIXTURES / "expected").glob("*.json")) + sorted((FIXTURES / "corpus").rglob("*.json"))
    bare = [ReportFacts.from_record(json.loads(p.read_text(encoding="utf-8"))) for p in labels]
    texts = sample_sections()
    full = []
    for i, facts in enumerate(bare):
        sections = texts[i % len(texts)]
        previous = replace(facts, year=(facts.year or 2024) - 1, sections=texts[(i + 1) % len(texts)])
        full.append(
            replace(
                facts,
                sections=sections,
                sections_found=("一", "二", "三", "四", "五", "六"),
                title=f"某某乡{facts.year}年政府信息公开工作年度报告",
                published_on=date((facts.year or 2024) + 1, 1, 20),
                previous=previous,
                agency_kind="township",
            )
        )
    return bare + full


def main(rounds: int = 20) -> None:
    facts = reports()
    for f in facts:  # warm-up
        evaluate(f)
    times: dict[str, list[float]] = {"bare": [], "full": []}
    half = len(facts) // 2
    for _ in range(rounds):
        for i, f in enumerate(facts):
            start = time.perf_counter()
            evaluate(f)
            times["bare" if i < half else "full"].append((time.perf_counter() - start) * 1000)
    print(f"{len(facts)} reports × {rounds} rounds")
    for kind, ms in times.items():
        ms.sort()
        p95 = ms[int(len(ms) * 0.95)]
        print(
            f"  {kind:5}: mean {statistics.fmean(ms):.3f} ms, median {statistics.median(ms):.3f} ms, p95 {p95:.3f} ms"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
