from auditor.cli import run

raise SystemExit(run())
