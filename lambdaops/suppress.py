"""Suppressions (lambdaops.toml), resource tags and the baseline: which findings still fail.

Every muted finding carries its source: in words in `status_reason` (so every format shows it) and
structured in `muted_by` (JSON, and the summary's `muted_by_source` counts).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from lambdaops import jsonio
from lambdaops.errors import UsageError
from lambdaops.model import Finding, FindingStatus, Severity
from lambdaops.settings import DEFAULT_CONFIG_NAME, Suppression

IGNORE_TAG = "lambdaops:ignore"


def _matches(s: Suppression, f: Finding) -> bool:
    if not fnmatch.fnmatchcase(f.check_id, s.check):
        return False
    if s.accounts and f.account_id not in s.accounts:
        return False
    if s.regions and f.region not in s.regions:
        return False
    if s.resource is not None and not (
        fnmatch.fnmatchcase(f.resource_arn, s.resource) or fnmatch.fnmatchcase(f.resource_name, s.resource)
    ):
        return False
    return True


def expired(suppressions: Iterable[Suppression], today: date) -> list[Suppression]:
    return [s for s in suppressions if s.expires is not None and s.expires < today]


def expiry_warnings(suppressions: Iterable[Suppression], today: date) -> list[str]:
    return [
        f"suppression for {s.check!r}{f' (line {s.line})' if s.line else ''} expired on {s.expires}; "
        "it no longer mutes anything: renew or remove it"
        for s in expired(suppressions, today)
    ]


def _tag_value(f: Finding, tags: Mapping[str, Mapping[str, str]]) -> str | None:
    """The `lambdaops:ignore` tag of the function this finding is about, if it opts out of its check.

    Only a finding whose resource is that very function: a tag on a function never mutes a finding
    about its role, a policy or the account (tags are keyed by function ARN, and only function ARNs
    are looked up, so a tag map carrying other resources cannot widen it).
    """
    parts = f.resource_arn.split(":")
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "lambda" or parts[5] != "function":
        return None  # not an (unqualified) function ARN: a role, a policy, an alias, the account
    value = tags.get(f.resource_arn, {}).get(IGNORE_TAG)
    if not value:
        return None
    ids = {p for p in value.replace(",", " ").replace("/", " ").split() if p}
    return value if any(fnmatch.fnmatchcase(f.check_id, i) for i in ids) else None


def ignored_by_tags(f: Finding, tags: Mapping[str, Mapping[str, str]]) -> bool:
    """A resource tag `lambdaops:ignore` lists check ids (comma, space or slash separated) it opts out of."""
    return _tag_value(f, tags) is not None


def _config_source(rule: Suppression, config_path: Path | None) -> dict[str, object]:
    return {
        "source": "config",
        "file": str(config_path) if config_path is not None else DEFAULT_CONFIG_NAME,
        "line": rule.line,
        "check": rule.check,
    }


def _config_reason(rule: Suppression, config_path: Path | None) -> str:
    where = config_path.name if config_path is not None else DEFAULT_CONFIG_NAME
    line = f":{rule.line}" if rule.line else ""
    return f"{rule.reason} (muted by {where}{line} [[suppress]] check = {rule.check!r})"


def apply_status(
    findings: Sequence[Finding],
    suppressions: Sequence[Suppression],
    today: date,
    baseline: frozenset[str] = frozenset(),
    tags: Mapping[str, Mapping[str, str]] | None = None,
    *,
    tag_max_severity: Severity = Severity.MEDIUM,
    config_path: Path | None = None,
    skipped_tags: list[str] | None = None,
) -> list[Finding]:
    """Mark muted (config entry, then tag) and baselined findings; every muted one names its source.

    A `lambdaops:ignore` tag mutes only findings at or below `tag_max_severity` (lambdaops.toml
    `tag_suppressions_max_severity`, default medium): whoever can tag a function cannot switch the gate
    off for what matters. A tag that asks for more is not obeyed, and `skipped_tags` (when given) gets a
    line saying so. `tags=None` (or --no-tag-suppressions) ignores tags altogether.
    """
    active = [s for s in suppressions if s.expires is None or s.expires >= today]
    out = []
    for f in findings:
        rule = next((s for s in active if _matches(s, f)), None)
        value = _tag_value(f, tags) if tags is not None and rule is None else None
        if rule is not None:
            reason = _config_reason(rule, config_path)
            out.append(
                replace(
                    f.with_status(FindingStatus.MUTED, reason), muted_by=_config_source(rule, config_path)
                )
            )
        elif value is not None and f.severity <= tag_max_severity:
            source = {"source": "tag", "tag": IGNORE_TAG, "value": value, "resource_arn": f.resource_arn}
            reason = f"muted by tag {IGNORE_TAG}={value} on {f.resource_arn}"
            out.append(replace(f.with_status(FindingStatus.MUTED, reason), muted_by=source))
        else:
            if value is not None and skipped_tags is not None:
                skipped_tags.append(
                    f"tag {IGNORE_TAG}={value} on {f.resource_arn} does not mute {f.check_id} "
                    f"({f.severity.label}): tags mute findings up to {tag_max_severity.label} only "
                    "(lambdaops.toml tag_suppressions_max_severity)"
                )
            if f.fingerprint in baseline:
                out.append(f.with_status(FindingStatus.BASELINED, "in baseline"))
            else:
                out.append(f)
    return out


def load_baseline(path: Path) -> frozenset[str]:
    fix = f"regenerate it with --write-baseline {path}"
    data = jsonio.load_json_file(path, "baseline", fix)
    prints = data.get("fingerprints") if isinstance(data, dict) else None
    if not isinstance(prints, list) or not all(
        isinstance(p, str) and len(p) == 64 and all(c in "0123456789abcdef" for c in p) for p in prints
    ):
        raise UsageError(
            f'{path}: not a lambdaops baseline (expected {{"fingerprints": [sha256, ...]}}); {fix}'
        )
    return frozenset(prints)


def baseline_document(findings: Iterable[Finding]) -> str:
    prints = sorted({f.fingerprint for f in findings if f.status is FindingStatus.FAIL})
    doc = {"schema_version": 1, "tool": "lambdaops", "fingerprints": prints}
    return jsonio.dumps(doc, indent=2) + "\n"
