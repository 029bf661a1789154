"""Suppressions, ignore tags and the baseline decide which findings still fail."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from lambdaops.errors import UsageError
from lambdaops.model import Finding, FindingStatus, Severity
from lambdaops.settings import Suppression
from lambdaops.suppress import apply_status, baseline_document, expiry_warnings, load_baseline

TODAY = date(2026, 11, 27)


def _f(check: str = "lambda-inactive", name: str = "orders-dr-copy", region: str = "eu-west-1") -> Finding:
    return Finding(
        check_id=check,
        severity=Severity.LOW,
        account_id="123456789012",
        region=region,
        resource_arn=f"arn:aws:lambda:{region}:123456789012:function:{name}",
        resource_name=name,
        message="m",
        remediation="r",
    )


def test_matching_suppression_mutes_with_reason() -> None:
    sup = Suppression(check="lambda-*", reason="DR copies", resource="*-dr-*")
    (out,) = apply_status([_f()], [sup], TODAY)
    assert out.status is FindingStatus.MUTED
    assert out.status_reason == "DR copies (muted by lambdaops.toml [[suppress]] check = 'lambda-*')"
    assert out.muted_by == {"source": "config", "file": "lambdaops.toml", "line": None, "check": "lambda-*"}


@pytest.mark.parametrize(
    "sup",
    [
        Suppression(check="iam-*", reason="r"),
        Suppression(check="lambda-inactive", reason="r", regions=("eu-central-1",)),
        Suppression(check="lambda-inactive", reason="r", accounts=("111111111111",)),
        Suppression(check="lambda-inactive", reason="r", resource="prod-*"),
    ],
)
def test_non_matching_suppression_leaves_fail(sup: Suppression) -> None:
    (out,) = apply_status([_f()], [sup], TODAY)
    assert out.status is FindingStatus.FAIL


def test_expired_suppression_stops_matching_and_warns() -> None:
    sup = Suppression(check="lambda-inactive", reason="r", expires=date(2026, 11, 26), line=7)
    (out,) = apply_status([_f()], [sup], TODAY)
    assert out.status is FindingStatus.FAIL
    (warning,) = expiry_warnings([sup], TODAY)
    assert "expired on 2026-11-26" in warning and "line 7" in warning
    # expiring today still applies
    sup_today = Suppression(check="lambda-inactive", reason="r", expires=TODAY)
    assert apply_status([_f()], [sup_today], TODAY)[0].status is FindingStatus.MUTED


def test_ignore_tag() -> None:
    f = _f()
    tags = {f.resource_arn: {"lambdaops:ignore": "lambda-inactive, lambda-old-versions"}}
    assert apply_status([f], [], TODAY, tags=tags)[0].status is FindingStatus.MUTED
    other = _f(check="lambda-no-concurrency-limit")
    assert apply_status([other], [], TODAY, tags=tags)[0].status is FindingStatus.FAIL


def test_baseline_round_trip(tmp_path: Path) -> None:
    findings = [_f(), _f(name="other")]
    path = tmp_path / "b.json"
    path.write_text(baseline_document(findings))
    prints = load_baseline(path)
    out = apply_status([*findings, _f(name="new-one")], [], TODAY, baseline=prints)
    assert [f.status for f in out] == [FindingStatus.BASELINED, FindingStatus.BASELINED, FindingStatus.FAIL]


@pytest.mark.parametrize(
    "content", ["{not json", json.dumps({"fingerprints": ["short"]}), json.dumps([1, 2])]
)
def test_malformed_baseline(tmp_path: Path, content: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(UsageError):
        load_baseline(path)


def test_fingerprint_is_stable_and_ignores_volatile_fields() -> None:
    a = _f()
    b = Finding(**{**a.__dict__, "message": "other message", "evidence": {"days": 3}})
    assert a.fingerprint == b.fingerprint
    assert a.fingerprint != _f(region="eu-central-1").fingerprint
