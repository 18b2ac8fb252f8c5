"""The parser on crawler text: the labelled corpus HTML pages run through a text extractor the way crawlers and
web-page copies do. Run by hand; prints figures, asserts nothing.

    .venv/bin/python benchmarks/crawl.py [--corpus ../shared/corpus] [--show]

Two forms of each page:

- pretty: the markup's own text nodes (the page's indentation stays, as tab lines around each cell);
- tight: whitespace between tags and the paragraphs inside cells dropped, so a row's cells run together
  ("一、本年新收…5620000058"; a row without its label as a line of digits alone, "0100001").

A block element (p, div, tr, br, li, headings, table) ends a line in both. "read" is the share of the label's
non-zero cells read right; "wrong" counts cells read with another value than the label's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.perturb import _label  # noqa: E402
from reports import canonical  # noqa: E402
from reports.parsing import parse_document  # noqa: E402
from tests.synth.crawl import crawl  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--show", action="store_true", help="one line per document")
    args = parser.parse_args()
    docs = sorted(p for p in args.corpus.glob("*/*.html") if p.with_suffix(".json").exists())
    print(f"{'form':8} {'documents':>9} {'wrong cells':>11} {'read':>8}")
    for form in ("pretty", "tight"):
        read = printed = wrong = 0
        for doc in docs:
            label = _label(doc)
            parsed = parse_document(crawl(doc.read_bytes(), tight=form == "tight"), "crawled.txt")
            keys = [k for k in canonical.ALL_KEYS if label.get(k)]
            got = sum(parsed.values[k] is not None and float(parsed.values[k]) == float(label[k]) for k in keys)  # type: ignore[arg-type]
            bad = sum(
                1
                for k in canonical.ALL_KEYS
                if parsed.values[k] is not None and float(parsed.values[k]) != float(label.get(k) or 0)  # type: ignore[arg-type]
            )
            read, printed, wrong = read + got, printed + len(keys), wrong + bad
            if args.show:
                codes = sorted({w.code for w in parsed.warnings if w.code.startswith("W_")})
                print(f"  {form} {doc.name}: {got}/{len(keys)} read, {bad} wrong {' '.join(codes)}")
        print(f"{form:8} {len(docs):>9} {wrong:>11} {read / printed:>8.2%}")


if __name__ == "__main__":
    main()
