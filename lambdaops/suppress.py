"""Suppressions (lambdaops.toml), resource tags and the baseline: which findings still fail."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from lambdaops import jsonio
from lambdaops.errors import UsageError
from lambdaops.model import Finding, FindingStatus
from lambdaops.settings import Suppression

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


def ignored_by_tags(f: Finding, tags: Mapping[str, Mapping[str, str]]) -> bool:
    """A resource tag `lambdaops:ignore` lists check ids (comma, space or slash separated) it opts out of."""
    value = tags.get(f.resource_arn, {}).get(IGNORE_TAG)
    if not value:
        return False
    ids = {p for p in value.replace(",", " ").replace("/", " ").split() if p}
    return any(fnmatch.fnmatchcase(f.check_id, i) for i in ids)


def apply_status(
    findings: Sequence[Finding],
    suppressions: Sequence[Suppression],
    today: date,
    baseline: frozenset[str] = frozenset(),
    tags: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Finding]:
    active = [s for s in suppressions if s.expires is None or s.expires >= today]
    out = []
    for f in findings:
        rule = next((s for s in active if _matches(s, f)), None)
        if rule is not None:
            out.append(f.with_status(FindingStatus.MUTED, rule.reason))
        elif tags is not None and ignored_by_tags(f, tags):
            out.append(f.with_status(FindingStatus.MUTED, f"resource tag {IGNORE_TAG}"))
        elif f.fingerprint in baseline:
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
