"""One meaning of the counts, with waivers in play: every place that counts says the same.

Two nights of the demo subscription are audited with examples/policy.yaml and
examples/waivers.yaml (plus one waiver on an unknown outcome, the case the example file lacks),
into a run history. The oracle is computed here from the findings themselves, independently of
auditor/counts.py: failing = a fail outcome without an active waiver, unknown = an unknown one
without, waived = a fail or unknown one with. The status line, the audit.summary event's fields,
the exit code, the JSON summary, the Markdown headline, the HTML headline, tables and embedded
data, the stored run and the diff (with --fail-on-new) must all agree with it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.evaluate import exit_code
from auditor.report import render
from auditor.store import Store
from tests.schedule_support import DAY1, DAY2, EXAMPLES, SUBSCRIPTION, load

SEVERITIES = ("high", "medium", "low", "info")
RANK = {severity: rank for rank, severity in enumerate(reversed(SEVERITIES))}
UNKNOWN_WAIVER = """
  - rule: risk/outbound-uncontrolled
    resource: "*/sites/func-events-aca"
    reason: Egress is governed by the Container Apps environment, reviewed on its own.
    owner: platform@contoso.example
    expires: 2999-12-31
"""


def _oracle(result: dict[str, Any]) -> dict[str, Any]:
    findings = result["findings"]
    failing = [f for f in findings if f["status"] == "fail" and "waived" not in f]
    return {
        "failing": failing,
        "unknown": [f for f in findings if f["status"] == "unknown" and "waived" not in f],
        "waived": [f for f in findings if f["status"] in ("fail", "unknown") and "waived" in f],
        "by_severity": {severity: sum(f["severity"] == severity for f in failing) for severity in SEVERITIES},
    }


def _events(err: str) -> dict[str, dict[str, Any]]:
    return {record["event"]: record for record in map(json.loads, err.splitlines())}


def _audit(cassette: Path, work: Path, night: str, *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(
        [
            "audit",
            "--subscription",
            SUBSCRIPTION,
            "--replay",
            str(cassette),
            "--policy",
            str(EXAMPLES / "policy.yaml"),
            "--waivers",
            str(work / "waivers.yaml"),
            "--store",
            str(work / "history.sqlite"),
            "--log-format",
            "json",
            "--save",
            str(work / f"{night}.json"),
            "--format",
            "markdown",
            "--output",
            str(work / f"{night}.md"),
            *extra,
        ]
    )
    return code, load(work / f"{night}.json")


class _Counts(HTMLParser):
    """data-count values and the embedded JSON data of the HTML report."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.counts: dict[str, str] = {}
        self.data = ""
        self._open: str | None = None
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self._open = attributes.get("data-count")
        self._in_data = tag == "script" and attributes.get("id") == "data"

    def handle_data(self, data: str) -> None:
        if self._open:
            self.counts[self._open] = data.strip()
            self._open = None
        if self._in_data:
            self.data += data


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("counts")
    waivers = (EXAMPLES / "waivers.yaml").read_text(encoding="utf-8") + UNKNOWN_WAIVER
    (work / "waivers.yaml").write_text(waivers, encoding="utf-8")
    return {"work": work}


def test_counts_agree_everywhere(nights: dict[str, Any], capfd: pytest.CaptureFixture[str]) -> None:
    work: Path = nights["work"]
    code, result = _audit(DAY1, work, "night1", "--fail-on", "medium")
    events = _events(capfd.readouterr().err)
    oracle = _oracle(result)
    failing, unknown, waived = oracle["failing"], oracle["unknown"], oracle["waived"]
    # The example waivers are in play: active ones on fails and an unknown, an expired one counting again.
    assert {f["status"] for f in waived} == {"fail", "unknown"}
    assert any(f.get("waiver_expired") for f in failing)
    counted = (len(failing), len(unknown), len(waived))

    # The JSON summary, and the audit.summary event's fields, which are that summary.
    summary = result["summary"]
    event = events["audit.summary"]
    for source in (summary, event):
        assert (source["failing"], source["unknown"], source["waived"]) == counted
        assert source["by_severity"] == oracle["by_severity"]
        assert (source["by_status"]["fail"], source["by_status"]["unknown"]) == counted[:2]
        assert source["by_status"]["waived"] == len(waived)
        assert sum(source["by_category"].values()) == len(failing)
    assert event["gaps"] == len(result["gaps"]) == 0

    # The status line says the same numbers as the event it is the message of.
    line = re.search(
        r"; (\d+) failing \(high (\d+), medium (\d+), low (\d+), info (\d+)\); (\d+) unknown; "
        r"(\d+) waived \(listed, not counted\); (\d+) gaps",
        event["message"],
    )
    assert line is not None, event["message"]
    numbers = [int(number) for number in line.groups()]
    assert numbers == [len(failing), *oracle["by_severity"].values(), len(unknown), len(waived), 0]

    # The exit code, at every threshold.
    assert code == (1 if any(RANK[f["severity"]] >= RANK["medium"] for f in failing) else 0)
    for threshold in SEVERITIES:
        expected = 1 if any(RANK[f["severity"]] >= RANK[threshold] for f in failing) else 0
        assert exit_code(result, threshold) == expected, threshold

    # The Markdown headline.
    markdown = (work / "night1.md").read_text(encoding="utf-8")
    header, _, row = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in markdown.split("## Azure Function Apps network audit", 1)[1].splitlines()
        if line.startswith("|")
    ][:3]
    headline = dict(zip(header, row, strict=True))
    assert int(headline["failing"]) == len(failing)
    assert {severity: int(headline[severity]) for severity in SEVERITIES} == oracle["by_severity"]
    assert (int(headline["unknown"]), int(headline["waived"])) == counted[1:]

    # The HTML headline, its count tables and the data the page's script counts from.
    parser = _Counts()
    parser.feed(render(result, "html"))
    cards = parser.counts
    assert (int(cards["fail"]), int(cards["unknown"]), int(cards["waived"])) == counted
    for severity in SEVERITIES:
        cell = cards.get(f"severity:{severity}:fail", "0")
        assert int(cell) == oracle["by_severity"][severity], severity
    assert sum(
        int(value) for key, value in cards.items() if key.startswith("category:") and key.endswith(":fail")
    ) == len(failing)
    embedded = json.loads(parser.data)["findings"]
    script_failing = [f for f in embedded if f["status"] == "fail" and not f.get("waived")]
    assert len(script_failing) == len(failing)

    # The stored run and its finding index.
    with Store(work / "history.sqlite") as store:
        (run,) = store.runs()
        assert (run.failing, run.unknown, run.waived, run.exit_code) == (*counted, code)

    # Night 2 with --fail-on-new, then `auditor diff` of the two runs.
    code2, result2 = _audit(DAY2, work, "night2", "--fail-on-new", "medium")
    events2 = _events(capfd.readouterr().err)
    assert (
        main(
            [
                "diff",
                "--store",
                str(work / "history.sqlite"),
                "--format",
                "json",
                "--output",
                str(work / "diff.json"),
            ]
        )
        == 0
    )
    capfd.readouterr()
    diff = load(work / "diff.json")
    before = {f["fingerprint"] for f in result["findings"]}
    new = [f for f in result2["findings"] if f["fingerprint"] not in before]
    new_oracle = _oracle({"findings": new})
    assert (
        diff["summary"]["new_failing"],
        diff["summary"]["new_unknown"],
        diff["summary"]["new_waived"],
    ) == (
        len(new_oracle["failing"]),
        len(new_oracle["unknown"]),
        len(new_oracle["waived"]),
    )
    fresh = [f for f in new_oracle["failing"] if RANK[f["severity"]] >= RANK["medium"]]
    assert events2["audit.new_findings"]["new"] == len(fresh)
    assert code2 == (1 if fresh else 0)
    with Store(work / "history.sqlite") as store:
        latest = store.runs()[0]
    oracle2 = _oracle(result2)
    assert (latest.failing, latest.unknown, latest.waived) == (
        len(oracle2["failing"]),
        len(oracle2["unknown"]),
        len(oracle2["waived"]),
    )
    assert Counter(f["severity"] for f in oracle2["failing"]) == Counter(
        {severity: count for severity, count in result2["summary"]["by_severity"].items() if count}
    )
