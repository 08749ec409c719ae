"""Give the hand-written result fixtures the references the rule catalogue has today.

    .venv/bin/python tools/refresh_fixture_references.py

tests/fixtures/*.json are hand-made results (the report tests' inputs); their findings should
cite what a real audit would: the rule's public page (doc, section, url) and its basis. Every
other field is left as written, including references of rules the catalogue does not have.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.evaluate import rule_catalogue  # noqa: E402

FIXTURES = ("sample_result.json", "html_result.json", "html_result_hostile.json")


def main() -> int:
    references = {rule["id"]: rule["reference"] for rule in rule_catalogue()}
    for name in FIXTURES:
        path = ROOT / "tests" / "fixtures" / name
        result = json.loads(path.read_text(encoding="utf-8"))
        for finding in result["findings"]:
            reference = references.get(finding.get("rule_id"))
            if reference is not None and isinstance(finding.get("reference"), dict):
                finding["reference"] = {"edition": finding["reference"].get("edition"), **reference}
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
