"""Self-contained HTML report: one file that opens from disk with no network.

Everything Azure returns (names, tags, rule descriptions, header values) is
attacker-controlled. The server-side parts go through Jinja2 with autoescape;
the tables the script draws read the data from a JSON block that cannot close
its script tag, and the script builds nodes with ``textContent`` only. Both show
control characters and bidi overrides as visible ``\\u202e``-style text. A
Content-Security-Policy meta tag admits exactly the inline script and style
by hash, so even an escaping bug could not run injected code or load anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from markupsafe import Markup

from auditor.counts import count_findings, counts_as_failing, counts_as_waived, is_fail, is_unknown
from auditor.docs import learn_url
from auditor.matrix import FEATURE_LABELS, Feature, MatrixError, load_edition
from auditor.report.common import (
    CATEGORY_ORDER,
    HOSTING_ORDER,
    INBOUND_ORDER,
    OUTBOUND_ORDER,
    SEVERITY_ORDER,
    STATUS_ORDER,
    json_escape_invisible,
    visible_controls,
)
from auditor.report.fix_display import html_fix
from auditor.rules.catalogue import RULES
from auditor.waivers import waiver_note

TEMPLATES = Path(__file__).parent / "templates"

# The matrix cell a drift rule is judged against, for findings whose evidence
# does not name its cell (older results): the resource's hosting gives the column.
DRIFT_RULE_FEATURES: dict[str, Feature] = {
    rule.id: rule.matrix_feature for rule in RULES if rule.matrix_feature is not None
}

_JSON_IN_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_IN_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")
_SUBSCRIPTION_IN_PATH = re.compile(r"/subscriptions/([^/?#]+)", re.IGNORECASE)
_RESOURCE_GROUP_IN_PATH = re.compile(r"/resourceGroups/([^/?#]+)", re.IGNORECASE)


def json_for_script(value: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">`` and never end it.

    ``<`` ``>`` ``&`` become ``\\u003c``-style escapes, which JSON.parse reads
    back unchanged, so no ``</script>`` or ``<!--`` can appear in the text; C1
    controls and bidi overrides are escaped the same way, so none sits raw in the file.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    text = _JSON_IN_SCRIPT_UNSAFE.sub(lambda match: _JSON_IN_SCRIPT_ESCAPES[match.group()], text)
    return json_escape_invisible(text)


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(script: str, style: str) -> str:
    # default-src 'none' covers connect, font, frame, media, object, worker …:
    # the page may load nothing at all; only the two inline blocks are admitted.
    return (
        f"default-src 'none'; script-src {csp_hash(script)}; style-src {csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _shown(value: Any) -> Any:
    """Every ``{{ value }}`` of the template: hidden controls and bidi overrides become visible text.

    Our own Markup (the inline script, style and data) passes untouched.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_controls(value)
    return value


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )


@cache
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _text(value: object, default: str = "") -> str:
    return default if value is None or value == "" else str(value)


def _ordered(present: Iterable[str], known: Sequence[str]) -> list[str]:
    seen = set(present)
    return [value for value in known if value in seen] + sorted(seen - set(known))


def _link(section: str, **filters: str) -> str:
    return f"#{section}?{urlencode(filters)}"


def _subscription_of(path: object) -> str:
    match = _SUBSCRIPTION_IN_PATH.search(_text(path))
    return match.group(1).lower() if match else ""


def _resource_group_of(path: object) -> str:
    match = _RESOURCE_GROUP_IN_PATH.search(_text(path))
    return match.group(1) if match else ""


def display_name(resource: Mapping[str, Any]) -> str:
    name = _text(resource.get("name"), "(unnamed)")
    slot = resource.get("slot")
    if slot and not name.endswith(f"/{slot}"):
        name = f"{name}/{slot}"
    return name


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _records(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


@dataclass(frozen=True)
class CountCell:
    count: int
    link: str


@dataclass(frozen=True)
class GridRow:
    label: str
    cells: list[CountCell]
    total: CountCell


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: float
    y: int
    css_class: str


@dataclass(frozen=True)
class MatrixCell:
    display: str
    value: str
    note: str
    source: str
    url: str | None  # the source page; only ever a https://learn.microsoft.com/ address
    relied_on_by: list[str]  # rule ids of the findings judged against this cell


@dataclass(frozen=True)
class MatrixRow:
    label: str
    cells: list[MatrixCell]


def _finding_counts(findings: Sequence[Mapping[str, Any]], field: str, order: Sequence[str]) -> list[GridRow]:
    counts: Counter[tuple[str, str]] = Counter(
        (_text(finding.get(field), "unknown"), _text(finding.get("status"))) for finding in findings
    )
    rows = []
    for value in _ordered((key for key, _ in counts), order):
        cells = [
            CountCell(counts[(value, status)], _link("findings", **{field: value, "status": status}))
            for status in STATUS_ORDER
        ]
        total = CountCell(sum(cell.count for cell in cells), _link("findings", **{field: value}))
        rows.append(GridRow(value, cells, total))
    return rows


def _bars(rows: Sequence[GridRow], scale_width: int = 320, bar_height: int = 22) -> list[Bar]:
    peak = max((row.cells[0].count for row in rows), default=0) or 1
    return [
        Bar(
            row.label,
            row.cells[0].count,
            scale_width * row.cells[0].count / peak,
            index * (bar_height + 6),
            row.label,
        )
        for index, row in enumerate(rows)
    ]


def _grid(
    resources: Sequence[Mapping[str, Any]], column_of: str, columns: Sequence[str]
) -> tuple[list[str], list[GridRow], GridRow]:
    """Hosting model x verdict counts, each linking to the resources list filtered to it."""
    verdicts = [_verdict(resource, column_of) for resource in resources]
    counts: Counter[tuple[str, str]] = Counter(
        (_text(resource.get("hosting"), "unknown"), verdict)
        for resource, verdict in zip(resources, verdicts, strict=True)
    )
    column_names = _ordered(list(verdicts) + list(columns), columns)
    hosting_names = _ordered((hosting for hosting, _ in counts), HOSTING_ORDER)
    rows = []
    for hosting in hosting_names:
        cells = [
            CountCell(counts[(hosting, verdict)], _link("resources", hosting=hosting, **{column_of: verdict}))
            for verdict in column_names
        ]
        rows.append(
            GridRow(
                hosting, cells, CountCell(sum(c.count for c in cells), _link("resources", hosting=hosting))
            )
        )
    totals = [
        CountCell(
            sum(counts[(hosting, verdict)] for hosting in hosting_names),
            _link("resources", **{column_of: verdict}),
        )
        for verdict in column_names
    ]
    return column_names, rows, GridRow("all", totals, CountCell(len(resources), "#resources"))


def _verdict(resource: Mapping[str, Any], column_of: str) -> str:
    if column_of == "outbound":
        return _text(resource.get("outbound"), "unknown")
    return _text(_mapping(resource.get("inbound")).get("main"), "unknown")


def _gap_consequences(
    result: Mapping[str, Any], findings: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Each gap with what it left unjudged: the unknown outcomes on the resources it covered."""
    unknown_rules: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        if is_unknown(finding):
            unknown_rules[_text(finding.get("resource_id")).lower()].add(_text(finding.get("rule_id")))
    names = {_text(r.get("id")).lower(): display_name(r) for r in _records(result.get("resources"))}
    consequences = []
    for gap in _records(result.get("gaps")):
        resource_id = _text(gap.get("resource_id"))
        if resource_id:
            covered = [resource_id.lower()]
            scope = names.get(resource_id.lower(), resource_id)
        else:
            subscription = _text(gap.get("subscription_id")).lower() or _subscription_of(gap.get("operation"))
            covered = [key for key in names if _subscription_of(key) == subscription]
            scope = f"subscription {subscription}" if subscription else "(whole audit)"
        unjudged: Counter[str] = Counter()
        for key in covered:
            unjudged.update(unknown_rules.get(key, ()))
        affects = gap.get("affects")
        consequences.append(
            {
                "scope": scope,
                "operation": _text(gap.get("operation")),
                "status": _text(gap.get("status"), "transport error"),
                "reason": _text(gap.get("reason")),
                "affects": [_text(item) for item in affects] if isinstance(affects, list) else [],
                "unjudged": [
                    f"{rule} ×{count}" if count > 1 else rule for rule, count in sorted(unjudged.items())
                ],
            }
        )
    return consequences


def _relied_cells(
    findings: Sequence[Mapping[str, Any]], hosting_of: Mapping[str, str]
) -> dict[tuple[str, str], list[str]]:
    """(feature, hosting) -> rule ids of the drift findings judged against that cell."""
    relied: dict[tuple[str, str], list[str]] = defaultdict(list)
    for finding in findings:
        if finding.get("category") != "drift":
            continue
        evidence = _mapping(finding.get("evidence"))
        cell = _mapping(finding.get("matrix_cell") or evidence.get("matrix_cell") or evidence.get("cell"))
        feature = _text(cell.get("feature") or evidence.get("feature"))
        hosting = _text(cell.get("hosting") or evidence.get("hosting"))
        rule_id = _text(finding.get("rule_id"))
        # An unknown outcome without a named cell was never judged against one.
        if not feature and rule_id in DRIFT_RULE_FEATURES and is_fail(finding):
            feature = DRIFT_RULE_FEATURES[rule_id].value
        if feature and not hosting:
            hosting = hosting_of.get(_text(finding.get("resource_id")).lower(), "")
        if feature and hosting and rule_id not in relied[(feature, hosting)]:
            relied[(feature, hosting)].append(rule_id)
    return relied


def _matrix(
    edition: str, relied: Mapping[tuple[str, str], list[str]]
) -> tuple[str, list[str], list[MatrixRow]] | None:
    try:
        loaded = load_edition(edition)
    except MatrixError:
        return None
    rows = []
    for feature in Feature:
        cells = []
        for hosting in loaded.hosting_models:
            cell = loaded.cells[(feature, hosting)]
            cells.append(
                MatrixCell(
                    cell.display(),
                    cell.value.value,
                    cell.note,
                    cell.source,
                    learn_url(cell.url),
                    relied.get((feature.value, hosting.value), []),
                )
            )
        rows.append(MatrixRow(FEATURE_LABELS[feature], cells))
    return loaded.title, [hosting.value for hosting in loaded.hosting_models], rows


def _options(values: Iterable[str], known: Sequence[str] = ()) -> list[str]:
    return _ordered((value for value in values if value), known)


def build_context(result: Mapping[str, Any]) -> dict[str, Any]:
    resources = _records(result.get("resources"))
    findings = _records(result.get("findings"))
    counts = count_findings(findings)
    # The count tables hold failing and unknown as the headline counts them: waived ones apart.
    counted = [finding for finding in findings if not counts_as_waived(finding)]
    subscriptions = _records(result.get("subscriptions"))
    gaps = _records(result.get("gaps"))
    edition = _text(result.get("edition"), "unknown")
    hosting_of = {_text(r.get("id")).lower(): _text(r.get("hosting"), "unknown") for r in resources}
    severity_rows = _finding_counts(counted, "severity", SEVERITY_ORDER)
    relied = _relied_cells(findings, hosting_of)
    inbound_columns, inbound_rows, inbound_totals = _grid(resources, "inbound", INBOUND_ORDER)
    outbound_columns, outbound_rows, outbound_totals = _grid(resources, "outbound", OUTBOUND_ORDER)
    tool = _mapping(result.get("tool"))
    finding_resource_groups = (_resource_group_of(f.get("resource_id")) for f in findings)
    return {
        "edition": edition,
        "tool": f"{_text(tool.get('name'), 'auditor')} {_text(tool.get('version'))}".strip(),
        "started_at": _text(result.get("started_at"), "?"),
        "finished_at": _text(result.get("finished_at"), "?"),
        "totals": {
            "resources": len(resources),
            "subscriptions": len(subscriptions),
            "subscriptions_failed": sum(1 for s in subscriptions if s.get("status") != "ok"),
            "fail": counts.failing,
            "waived": counts.waived,
            "unknown": counts.unknown,
            "gaps": len(gaps),
            "scm_public": sum(1 for r in resources if _mapping(r.get("inbound")).get("scm") == "public"),
        },
        "statuses": STATUS_ORDER,
        "severity_rows": severity_rows,
        "severity_bars": _bars(severity_rows),
        "category_rows": _finding_counts(counted, "category", CATEGORY_ORDER),
        "inbound_columns": inbound_columns,
        "inbound_rows": inbound_rows,
        "inbound_totals": inbound_totals,
        "outbound_columns": outbound_columns,
        "outbound_rows": outbound_rows,
        "outbound_totals": outbound_totals,
        "subscriptions": subscriptions,
        "gaps": _gap_consequences(result, findings),
        "matrix": _matrix(edition, relied),
        "relied": sorted((feature, hosting, rules) for (feature, hosting), rules in relied.items()),
        "options": {
            "severity": _options((_text(f.get("severity")) for f in findings), SEVERITY_ORDER),
            "category": _options((_text(f.get("category")) for f in findings), CATEGORY_ORDER),
            "status": _options((_text(f.get("status")) for f in findings), STATUS_ORDER),
            "rule": _options(_text(f.get("rule_id")) for f in findings),
            "hosting": _options(hosting_of.values(), HOSTING_ORDER),
            "resource_group": _options(
                [_text(r.get("resource_group")) for r in resources] + list(finding_resource_groups)
            ),
            "inbound": inbound_columns,
            "outbound": outbound_columns,
        },
    }


def render(result: Mapping[str, Any]) -> str:
    script = _asset("report.js")
    style = _asset("report.css")
    findings = _records(result.get("findings"))
    # Fixes ride beside the findings (same order), so the embedded findings stay the result's own.
    fixes = [html_fix(finding) for finding in findings]
    data = {
        "resources": _records(result.get("resources")),
        "findings": findings,
        "fixes": fixes,
        "failing": [counts_as_failing(finding) for finding in findings],
        "waiver_notes": [waiver_note(finding) or "" for finding in findings],
        "vocabulary": {"severity": SEVERITY_ORDER, "hosting": HOSTING_ORDER, "inbound": INBOUND_ORDER},
    }
    template = _environment().get_template("report.html.j2")
    return template.render(
        **build_context(result),
        csp=content_security_policy(script, style),
        # Markup: our own files, inserted verbatim so their hashes match the CSP.
        style=Markup(style),
        script=Markup(script),
        data_json=Markup(json_for_script(data)),
    )
