"""The browser's live checks (reports/static/nianbao/rules.js) say exactly what the server's rules say.

rules.js holds no equation: it evaluates reports.rules.declarative_rules_json(). Run in Chromium on every
labelled document and on a few hundred random perturbations of them (blanks, unread cells, printed subtotals,
numbers off by some), it must find the same failing equations with the same messages as rules.evaluate().
"""

import json
import random
from pathlib import Path

import pytest

from reports import canonical as c
from reports import rules
from tests.browser.conftest import needs_chromium
from tests.rules.helpers import LABEL_FILES, load_label

pytestmark = [pytest.mark.browser, needs_chromium]

RULES_JS = Path(__file__).resolve().parents[2] / "reports" / "static" / "nianbao" / "rules.js"


def cases():
    rng = random.Random(12)
    for path in LABEL_FILES:
        record = load_label(path)
        values = {k: v for k, v in c.flatten(record).items()}
        if any(isinstance(v, float) for k, v in values.items() if k != c.FEES_KEY):
            continue
        printed = {k: v for k, v in (record.get("printed_subtotals") or {}).items()}
        yield path.name, values, printed, []
        for n in range(8):
            changed = dict(values)
            missing = []
            for key in rng.sample(list(c.TABLE3_KEYS + c.TABLE4_KEYS), rng.randint(1, 6)):
                roll = rng.random()
                if roll < 0.3:
                    changed[key] = None
                elif roll < 0.45:
                    changed[key] = None
                    missing.append(key)
                else:
                    changed[key] = rng.randint(0, 40)
            yield f"{path.name}#{n}", changed, printed, missing


def server_view(values, printed, missing):
    facts = rules.ReportFacts(
        values=values,
        printed_subtotals=printed,
        missing_keys=frozenset(missing) or None,
    )
    return [[i.rule, list(i.keys), i.message] for i in rules.evaluate(facts) if i.rule in rules.LIVE_RULES]


def test_rules_js_agrees_with_the_server(browser_page):
    page = browser_page
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=RULES_JS.read_text(encoding="utf-8"))
    page.evaluate("spec => { window.SPEC = spec; }", rules.declarative_rules_json())
    all_cases = list(cases())
    assert len(all_cases) > 300
    fired = 0
    for name, values, printed, missing in all_cases:
        expected = server_view(values, printed, missing)
        got = page.evaluate(
            "([values, printed, missing]) => window.NianbaoRules.evaluate(window.SPEC, values, printed, missing)"
            ".map(i => [i.rule, i.keys, i.message])",
            [values, printed, missing],
        )
        assert got == expected, name
        fired += bool(expected)
    assert fired > 100  # the perturbations do break equations (and the partial-data variant is reached)
    assert any("未能读出" in json.dumps(server_view(v, p, m), ensure_ascii=False) for _, v, p, m in all_cases)
