"""Build ``cassettes/hostile/`` from the demo: the same reads, with attacker-controlled text.

Everything Azure returns about a resource is controlled by whoever can write
that resource: site names as the API reports them, tags, access-rule names and
descriptions, function names. This cassette puts script, markup, template,
terminal-escape (C0 and C1, an OSC-8 hyperlink), bidi-override, spreadsheet-formula
(also behind a non-breaking space and in full-width forms), Markdown, @mention and
link payloads into exactly those fields of a few demo apps, so the reports can be
shown to render them as text. Resource ids and URLs stay as they are: the requests
must still match.

``make regen`` runs it after rebuilding the demo (``--source``/``--out`` pick other folders).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "cassettes" / "demo"
TARGET = REPO / "cassettes" / "hostile"

SCRIPT = "<script>window.__pwned=1</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror="window.__pwned=1">'
SCRIPT_BREAK = "</script><script>window.__pwned=1</script>"
TEMPLATE = "{{7*7}}${7*7}"
JAVASCRIPT_URL = "javascript:window.__pwned=1"
TERMINAL = "\x1b[2J\x1b[31mred"
# A one-byte CSI (C1), and a terminal hyperlink (OSC 8) whose text hides where it points.
C1_CSI = "\x9b2J\x9b31mc1"
OSC8_LINK = "\x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\"
# Right-to-left override: shown as "func-exe.txt"; isolates and marks around it.
BIDI = "func-\u202etxt.exe\u202c\u2066\u200f\u2069"
FORMULA = '=HYPERLINK("http://example.invalid","x")'
NBSP_FORMULA = '\u00a0=HYPERLINK("http://example.invalid","nbsp")'
FULL_WIDTH_FORMULAS = ("\uff1dSUM(1+1)", "\uff0b1", "\uff0d1", "\uff20SUM(1)")
MARKDOWN = "| `x` | [a](javascript:1)"
MENTION = "@security-team ping #1"
LINKS = "https://evil.example/login www.evil.example [x](https://evil.example) <https://evil.example>"

HOSTILE_TAGS = {
    SCRIPT: ATTRIBUTE_BREAK,
    "owner": SCRIPT_BREAK,
    "cost-center": FORMULA,
    "link": JAVASCRIPT_URL,
    "c1": C1_CSI,
    "osc8": OSC8_LINK,
    "bidi": BIDI,
    "nbsp": NBSP_FORMULA,
    **{f"full-width-{index}": formula for index, formula in enumerate(FULL_WIDTH_FORMULAS)},
    "mention": MENTION,
    "links": LINKS,
}
# Per hostile site, text before and after its real name (which stays readable, so a reader can
# tell which app carries the payload); a leading payload starts the name column of the CSV.
NAME_PAYLOADS = {
    "func-docs": ("", f"{SCRIPT}{TERMINAL}{C1_CSI}{BIDI}"),
    "func-reporting": (NBSP_FORMULA, f"{SCRIPT}{TERMINAL}{MENTION} {LINKS}"),
    "func-scoring-linux": (FULL_WIDTH_FORMULAS[0], f"{SCRIPT}{TERMINAL}{OSC8_LINK}"),
}


def _site_of(resource_id: str) -> str | None:
    parts = resource_id.split("/")
    lowered = [part.lower() for part in parts]
    if "sites" not in lowered:
        return None
    index = lowered.index("sites")
    return parts[index + 1] if index + 1 < len(parts) else None


def _hostile_name(name: str) -> str:
    before, after = NAME_PAYLOADS[name.split("/", 1)[0]]
    return f"{before}{name}{after}"


def _poison_site(resource: dict[str, Any]) -> None:
    site = _site_of(str(resource.get("id", "")))
    if site not in NAME_PAYLOADS or "/config/" in str(resource.get("id", "")):
        return
    if str(resource.get("type", "")).lower() in {"microsoft.web/sites", "microsoft.web/sites/slots"}:
        resource["name"] = _hostile_name(str(resource["name"]))
        resource["tags"] = dict(HOSTILE_TAGS)


def _poison_config(body: dict[str, Any]) -> None:
    properties = body.get("properties") or {}
    names = (ATTRIBUTE_BREAK, TEMPLATE, MARKDOWN, NBSP_FORMULA, *FULL_WIDTH_FORMULAS, MENTION)
    for key in ("ipSecurityRestrictions", "scmIpSecurityRestrictions"):
        for index, rule in enumerate(properties.get(key) or []):
            rule["name"] = names[index % len(names)]
            rule["description"] = f"{SCRIPT_BREAK} {TERMINAL} {FORMULA} {C1_CSI} {BIDI} {LINKS}"


def _poison_functions(body: dict[str, Any]) -> None:
    for function in body.get("value") or []:
        site, _, name = str(function.get("name", "")).partition("/")
        hostile = f"{name}{ATTRIBUTE_BREAK}"
        function["name"] = f"{site}/{hostile}"
        if isinstance(function.get("properties"), dict):
            function["properties"]["name"] = hostile


def _rewrite(uri: str, body: Any) -> Any:
    path = uri.split("?", 1)[0]
    site = _site_of(path)
    if path.endswith("/config/web") and site in NAME_PAYLOADS:
        _poison_config(body)
    elif path.endswith("/functions") and site in NAME_PAYLOADS:
        _poison_functions(body)
    elif isinstance(body, dict):
        for resource in body.get("value") or []:
            if isinstance(resource, dict):
                _poison_site(resource)
    return body


def build(interactions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    rebuilt = []
    for interaction in interactions:
        response = interaction["response"]
        text = response["body"]["string"]
        if response["status"]["code"] == 200 and text:
            body = _rewrite(interaction["request"]["uri"], json.loads(text))
            text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
            response["body"]["string"] = text
            response["headers"]["content-length"] = [str(len(text.encode("utf-8")))]
        rebuilt.append(interaction)
    return rebuilt


def write(source_dir: Path, target_dir: Path) -> int:
    """Write the hostile cassette built from ``source_dir`` into ``target_dir``; return its size."""
    source = yaml.safe_load((source_dir / "arm.yaml").read_text(encoding="utf-8"))
    source["interactions"] = build(source["interactions"])
    target_dir.mkdir(parents=True, exist_ok=True)
    (target_dir / "arm.yaml").write_text(
        yaml.safe_dump(source, allow_unicode=False, sort_keys=False, width=120), encoding="utf-8"
    )
    manifest = source_dir / "manifest.json"
    if manifest.exists():
        (target_dir / "manifest.json").write_text(manifest.read_text(encoding="utf-8"), encoding="utf-8")
    return len(source["interactions"])


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="the demo cassette folder to poison")
    parser.add_argument("--out", type=Path, default=TARGET, help="folder to write the hostile cassette to")
    args = parser.parse_args(list(argv) if argv is not None else None)
    count = write(args.source, args.out)
    print(f"wrote {args.out / 'arm.yaml'} ({count} interactions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
