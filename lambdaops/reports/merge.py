"""Combine JSON reports (e.g. one per CI shard) into one report, as if one run had read it all.

The scope is the union of the inputs' scopes; findings are deduplicated by fingerprint, functions by
ARN, errors by value; the summary (and so the exit code) is recomputed from the merged findings.
Reports of different commands or schema versions, plan reports and files that are not lambdaops JSON
reports are refused with a UsageError naming the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from lambdaops import jsonio
from lambdaops.checks.registry import all_checks
from lambdaops.errors import UsageError
from lambdaops.model import SCHEMA_VERSION, ErrorRecord, Finding, FindingStatus, Report, Severity
from lambdaops.rows import SORT_KEYS, sort_rows

# Keys every report has; any other top-level key is a command's section (e.g. `billing`, `pools`).
ENVELOPE = frozenset(
    {
        "schema_version",
        "tool",
        "command",
        "generated_at",
        "scope",
        "functions",
        "findings",
        "errors",
        "warnings",
        "summary",
        "shard",
    }
)
# How each command orders its function rows (list-inactive: its --sort default; scan: by name).
DEFAULT_SORT = {"list-inactive": "days-idle", "scan": "name"}
ERROR_FIELDS = ("account_id", "region", "operation", "code", "message")


@dataclass(frozen=True)
class LoadedReport:
    path: str
    data: dict[str, Any]

    @property
    def command(self) -> str:
        return str(self.data["command"])

    @property
    def schema_version(self) -> int:
        return int(self.data["schema_version"])


def _not_a_report(path: str, why: str) -> UsageError:
    return UsageError(f"{path}: not a lambdaops JSON report ({why}); pass files written by --output json")


def parse_report(text: str, path: str) -> LoadedReport:
    """Validate the envelope of one JSON report (CONTRACT.md) and return it."""
    try:
        data = jsonio.loads(text)
    except ValueError as exc:
        raise _not_a_report(path, str(exc)) from None
    if not isinstance(data, dict):
        raise _not_a_report(path, "not a JSON object")
    tool = data.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "lambdaops":
        raise _not_a_report(path, 'no "tool": {"name": "lambdaops"}')
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _not_a_report(path, "no schema_version")
    if not isinstance(data.get("command"), str):
        raise _not_a_report(path, "no command")
    scope = data.get("scope")
    if not isinstance(scope, dict) or not all(
        isinstance(scope.get(k), list) for k in ("accounts", "regions")
    ):
        raise _not_a_report(path, "no scope.accounts / scope.regions")
    for key in ("findings", "errors"):
        if not isinstance(data.get(key), list):
            raise _not_a_report(path, f"no {key} list")
    if not isinstance(data.get("functions", []), list):
        raise _not_a_report(path, "functions is not a list")
    return LoadedReport(path, data)


def load_report(path: Path) -> LoadedReport:
    try:
        if path.stat().st_size > jsonio.MAX_BYTES:
            raise UsageError(f"{path}: larger than {jsonio.MAX_BYTES // 2**20} MB; not a lambdaops report")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it ({exc})") from None
    return parse_report(text, str(path))


def _check_compatible(reports: Sequence[LoadedReport]) -> None:
    if not reports:
        raise UsageError("merge needs at least one report")
    first = reports[0]
    for other in reports[1:]:
        if other.schema_version != first.schema_version:
            raise UsageError(
                f"cannot merge reports of schema versions {first.schema_version} ({first.path}) and "
                f"{other.schema_version} ({other.path}); produce them with the same lambdaops version"
            )
        if other.command != first.command:
            raise UsageError(
                f"cannot merge reports of different commands: {first.command!r} ({first.path}) and "
                f"{other.command!r} ({other.path})"
            )
    if first.schema_version != SCHEMA_VERSION:
        raise UsageError(
            f"{first.path}: schema version {first.schema_version}; this lambdaops reads version "
            f"{SCHEMA_VERSION}: merge with the lambdaops version that wrote the reports"
        )
    for report in reports:
        if "changes" in report.data:
            raise UsageError(f"{report.path}: a plan report (with changes) cannot be merged")


def _generated_at(reports: Sequence[LoadedReport]) -> datetime:
    """The latest input's time: merging the same files twice gives the same report."""
    times = []
    for report in reports:
        raw = report.data.get("generated_at")
        try:
            when = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:  # a naive time cannot be ordered against others
            raise _not_a_report(
                report.path, f"generated_at {str(raw)[:40]!r} is not an ISO 8601 time with a UTC offset"
            )
        times.append(when)
    return max(times)


def _findings(reports: Sequence[LoadedReport]) -> list[Finding]:
    """Deduplicated by fingerprint (first wins).

    A finding read back from JSON has no `detail` (only its fingerprint); its position in its own
    report stands in for it, so findings that tie on every sorted field keep their original order
    (they always come from one report: they share an account).
    """
    seen: set[str] = set()
    out: list[Finding] = []
    for report in reports:
        for index, raw in enumerate(report.data["findings"]):
            problem = _finding_problem(raw)
            if problem:
                raise _not_a_report(report.path, f"finding {index + 1}: {problem}")
            try:
                finding = Finding.from_dict(raw)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise _not_a_report(report.path, f"finding {index + 1} is malformed: {exc}") from None
            if finding.fingerprint in seen:
                continue
            seen.add(finding.fingerprint)
            out.append(replace(finding, detail=f"{index:09d}"))
    return out


FINDING_TEXT_FIELDS = ("check_id", "account_id", "region", "resource_arn", "resource_name", "message")
STATUSES = frozenset(s.value for s in FindingStatus)
SEVERITIES = frozenset(s.label for s in Severity)


def _finding_problem(raw: Any) -> str | None:
    """Why a finding read from a report cannot be trusted, or None: every field the merge uses."""
    if not isinstance(raw, dict):
        return "not an object"
    for key in FINDING_TEXT_FIELDS:
        if not isinstance(raw.get(key), str):
            return f"{key} is missing or not a string"
    if raw.get("severity") not in SEVERITIES:
        return (
            f"unknown severity {str(raw.get('severity'))[:20]!r}; use one of {', '.join(sorted(SEVERITIES))}"
        )
    if raw.get("status", "fail") not in STATUSES:
        return f"unknown status {str(raw.get('status'))[:20]!r}; use one of {', '.join(sorted(STATUSES))}"
    fingerprint = raw.get("fingerprint")
    if not (isinstance(fingerprint, str) and re.fullmatch(r"[0-9a-f]{64}", fingerprint)):
        return "fingerprint is not a sha256"
    for key in ("remediation", "status_reason"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            return f"{key} is not a string"
    if not isinstance(raw.get("evidence", {}), dict):
        return "evidence is not an object"
    return None


def _row_problem(row: Any) -> str | None:
    """Why a function row cannot be sorted and printed, or None: the fields merge and sorting use."""
    from lambdaops.inventory import ActivityStatus

    if not isinstance(row, dict):
        return "not an object"
    for key in ("arn", "account_id", "region", "name"):
        if not isinstance(row.get(key), str):
            return f"{key} is missing or not a string"
    for key in ("last_modified", "last_invocation"):
        if row.get(key) is not None and not isinstance(row.get(key), str):
            return f"{key} is not a time string"
    days = row.get("days_since_invocation")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 100_000):
        return "days_since_invocation is not a whole number of days"
    statuses = {s.value for s in ActivityStatus}
    if row.get("status") not in statuses:
        return f"unknown status {str(row.get('status'))[:20]!r}; use one of {', '.join(sorted(statuses))}"
    return None


def _errors(reports: Sequence[LoadedReport]) -> list[ErrorRecord]:
    out: list[ErrorRecord] = []
    for report in reports:
        for index, raw in enumerate(report.data["errors"]):
            if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ERROR_FIELDS):
                raise _not_a_report(report.path, f"error {index + 1} is malformed")
            out.append(ErrorRecord(**{k: raw[k] for k in ERROR_FIELDS}))
    return out


def _functions(reports: Sequence[LoadedReport], sort: str) -> list[dict[str, Any]]:
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for report in reports:
        for index, row in enumerate(report.data.get("functions", [])):
            problem = _row_problem(row)
            if problem:
                raise _not_a_report(report.path, f"function row {index + 1}: {problem}")
            if row["arn"] in seen:
                continue
            seen.add(row["arn"])
            rows.append(row)
    # A single run lists functions account by account, region by region: start from that order so
    # rows that tie on the sort key come out as they would from one run.
    rows.sort(key=lambda r: (str(r.get("account_id", "")), str(r.get("region", "")), str(r.get("name", ""))))
    return sort_rows(rows, sort)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _scope_key(item: Any) -> tuple[str, str]:
    if isinstance(item, dict):
        return (str(item.get("account_id", "")), str(item.get("region", "")))
    return ("", "")


def _sections(reports: Sequence[LoadedReport]) -> dict[str, Any]:
    """Command sections: lists (one entry per account or region) are concatenated, deduplicated and
    put in (account, region) order; any other value must be the same in every report."""
    out: dict[str, Any] = {}
    keys = sorted({k for r in reports for k in r.data if k not in ENVELOPE})
    for key in keys:
        values = [(r.path, r.data[key]) for r in reports if key in r.data]
        if all(isinstance(v, list) for _, v in values):
            seen: set[str] = set()
            items: list[Any] = []
            for _, value in values:
                for item in value:
                    canonical = _canonical(item)
                    if canonical not in seen:
                        seen.add(canonical)
                        items.append(item)
            out[key] = sorted(items, key=_scope_key)
            continue
        first_path, first = values[0]
        for path, value in values[1:]:
            if _canonical(value) != _canonical(first):
                raise UsageError(f"cannot merge {key!r}: it differs between {first_path} and {path}")
        out[key] = first
    return out


def _union(values: Iterable[Any]) -> list[str]:
    return sorted({str(v) for v in values})


def merge_reports(reports: Sequence[LoadedReport], sort: str | None = None) -> Report:
    """One Report from compatible reports (see the module docstring)."""
    _check_compatible(reports)
    command = reports[0].command
    sort_key = sort or DEFAULT_SORT.get(command, "name")
    if sort_key not in SORT_KEYS:
        raise UsageError(f"--sort: unknown value {sort_key!r}; use one of {', '.join(SORT_KEYS)}")
    report = Report(
        command=command,
        generated_at=_generated_at(reports),
        accounts=_union(a for r in reports for a in r.data["scope"]["accounts"]),
        regions=_union(g for r in reports for g in r.data["scope"]["regions"]),
        functions=_functions(reports, sort_key),
        findings=_findings(reports),
        errors=_errors(reports),
        sections=_sections(reports),
        catalogue=all_checks(),
    )
    # A shard that held no account says so in its own report; merged with its siblings, that is no gap.
    report.warnings = _union(
        w
        for r in reports
        for w in r.data.get("warnings") or []
        if isinstance(w, str) and not w.startswith("--shard ")
    )
    report.errors.extend(_missing_shards(reports))
    report.coverage = _coverage(reports)
    return report


def _coverage(reports: Sequence[LoadedReport]) -> dict[str, tuple[int, str]]:
    """The shards' checked resources add up (each shard read its own accounts)."""
    out: dict[str, tuple[int, str]] = {}
    for r in reports:
        summary = r.data.get("summary")
        entries = summary.get("checks") if isinstance(summary, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("check_id"), str):
                continue
            checked, kind = entry.get("checked"), entry.get("resource_kind")
            if not isinstance(checked, int) or isinstance(checked, bool) or not isinstance(kind, str):
                continue
            before = out.get(entry["check_id"], (0, kind))[0]
            out[entry["check_id"]] = (before + checked, kind)
    return out


def _missing_shards(reports: Sequence[LoadedReport]) -> list[ErrorRecord]:
    """Shard reports (`"shard": "I/N"`, written by `--shard I/N`) must cover 1..N: a missing one is a gap
    in the scope, reported like an unread region (exit 4)."""
    seen: dict[int, set[int]] = {}
    for r in reports:
        shard = r.data.get("shard")
        if not isinstance(shard, str) or "/" not in shard:
            continue
        i_text, _, n_text = shard.partition("/")
        if i_text.isdigit() and n_text.isdigit():
            seen.setdefault(int(n_text), set()).add(int(i_text))
    out = []
    for n, have in sorted(seen.items()):
        missing = [f"{i}/{n}" for i in range(1, n + 1) if i not in have]
        if missing:
            out.append(
                ErrorRecord(
                    account_id="",
                    region="",
                    operation="lambdaops:merge",
                    code="MissingShard",
                    message=f"no report for shard {', '.join(missing)}: the merged scope is incomplete",
                )
            )
    return out
