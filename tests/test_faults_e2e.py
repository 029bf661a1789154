"""Fault injection, end to end: the real `lambdaops` process, a moto server holding the demo account, and
the AwsProxy between them injecting throttling, 5xx, dropped connections, slow answers and denials.

Transient faults must change nothing in the report; a denied region or operation must appear in
`errors` with everything else still reported and exit code 4; nothing may hang.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from lambdaops.demo.server import running_server
from tests.support.api_recorder import RECORDER
from tests.support.aws_proxy import AwsProxy
from tests.support.e2e import Outcome, finish, start_lambdaops

REGIONS = ("--region", "eu-central-1", "--region", "eu-west-1")
SCAN = ("scan", "-o", "json", "--no-progress", *REGIONS)
LIST = ("list-inactive", "--show", "all", "-o", "json", "--no-progress", *REGIONS)
TRANSIENT = 0.2


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with running_server(seed="demo") as url:
        yield url


class Runs:
    """Start several lambdaops runs, each behind its own proxy, and wait for all of them."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._started: dict[str, tuple[AwsProxy, Any]] = {}
        self.proxies: dict[str, AwsProxy] = {}

    def start(
        self, name: str, args: tuple[str, ...], env: dict[str, str] | None = None, **proxy: Any
    ) -> None:
        p = AwsProxy(self.endpoint, **proxy).start()
        self._started[name] = (p, start_lambdaops(p.url, *args, env=env))

    def wait(self) -> dict[str, Outcome]:
        out = {}
        try:
            for name, (p, process) in self._started.items():
                out[name] = finish(process)
                self.proxies[name] = p
                # Only lambdaops talks through the proxy: what it saw are lambdaops' own calls.
                RECORDER.add_external(p.counts(), origin=f"subprocess ({name})")
        finally:
            for p, _ in self._started.values():
                p.stop()
        return out


@pytest.fixture(scope="module")
def clean(endpoint: str) -> dict[str, Outcome]:
    runs = Runs(endpoint)
    runs.start("scan", SCAN)
    runs.start("list", LIST)
    out = runs.wait()
    assert out["scan"].code == 3, out["scan"].stderr  # the demo account has high findings
    assert out["list"].code == 0, out["list"].stderr
    for outcome in out.values():
        assert outcome.report["errors"] == []
        assert len(outcome.report["functions"]) == 40
    return out


def findings(report: Any, region: str | None = None) -> list[tuple[str, str, str]]:
    return sorted(
        (f["fingerprint"], f["status"], f["check_id"])
        for f in report["findings"]
        if region is None or f["region"] == region
    )


# A function's last invocation is dated to the start of its metric bucket, and the buckets are laid
# from the window start, which moves with the clock: two runs minutes apart may date the same
# invocation to different bucket starts (at most a day apart, the coarsest bucket).
MOVES_WITH_THE_CLOCK = ("last_invocation", "days_since_invocation")


def rows(report: Any, region: str | None = None) -> list[Any]:
    picked = [r for r in report["functions"] if region is None or r["region"] == region]
    return sorted(({k: v for k, v in r.items() if k not in MOVES_WITH_THE_CLOCK} for r in picked), key=str)


def dated_alike(got: Any, want: Any, region: str | None = None) -> bool:
    def dates(report: Any) -> dict[str, datetime | None]:
        return {
            r["arn"]: None if r["last_invocation"] is None else datetime.fromisoformat(r["last_invocation"])
            for r in report["functions"]
            if region is None or r["region"] == region
        }

    a, b = dates(got), dates(want)
    assert a.keys() == b.keys()
    for arn, when in a.items():
        other = b[arn]
        if (when is None) != (other is None):
            return False
        if when is not None and other is not None and abs(when - other) > timedelta(days=1):
            return False
    return True


def error_keys(report: Any) -> set[tuple[str, str, str]]:
    return {(e["region"], e["operation"], e["code"]) for e in report["errors"]}


def test_transient_faults_on_a_fifth_of_requests_change_nothing(
    endpoint: str, clean: dict[str, Outcome]
) -> None:
    runs = Runs(endpoint)
    # The scan reads IAM in one large call (about a second on moto), so its slow answers would need a
    # read timeout of several seconds each: slow answers are exercised on list-inactive (a 1 s read
    # timeout, answers 2.5 s late) and on a thousand calls in tests/test_retries.py.
    runs.start("scan", SCAN, fault_rate=TRANSIENT, faults=("throttle", "5xx", "drop"), seed=11)
    slow: dict[str, Any] = {"env": {"LAMBDAOPS_READ_TIMEOUT": "1"}, "slow_ms": 2500}
    runs.start(
        "list", LIST, fault_rate=TRANSIENT, faults=("throttle", "5xx", "drop", "slow"), seed=12, **slow
    )
    runs.start("slow", LIST, fault_rate=0.5, faults=("slow",), max_faults=3, seed=13, **slow)
    faulted = runs.wait()
    for name, baseline in (("scan", "scan"), ("list", "list"), ("slow", "list")):
        got, want = faulted[name], clean[baseline]
        assert got.code == want.code, got.stderr
        assert got.report["errors"] == []
        assert findings(got.report) == findings(want.report)
        assert rows(got.report) == rows(want.report)
        assert dated_alike(got.report, want.report)
    # the faults really happened
    injected = runs.proxies["scan"].faults_injected()
    assert sum(injected.values()) >= 10 and set(injected) == {"throttle", "5xx", "drop"}, injected
    assert runs.proxies["slow"].faults_injected() == {"slow": 3}


def test_denied_metrics_in_one_region_make_its_functions_unknown_never_inactive(
    endpoint: str, clean: dict[str, Outcome]
) -> None:
    runs = Runs(endpoint)
    runs.start("list", LIST, deny_operations=["cloudwatch:GetMetricData@eu-west-1"])
    runs.start("region", LIST, deny_regions=["eu-west-1"])
    out = runs.wait()

    got = out["list"]
    assert got.code == 4, got.stderr
    assert error_keys(got.report) == {("eu-west-1", "cloudwatch:GetMetricData", "AccessDenied")}
    west = [r for r in got.report["functions"] if r["region"] == "eu-west-1"]
    assert west and {r["status"] for r in west} == {"unknown"}
    assert all(r["last_invocation"] is None and r["days_since_invocation"] is None for r in west)
    assert not [f for f in got.report["findings"] if f["region"] == "eu-west-1"]
    # the other region is reported in full, exactly as without the denial
    want = clean["list"].report
    assert rows(got.report, "eu-central-1") == rows(want, "eu-central-1")
    assert dated_alike(got.report, want, "eu-central-1")
    assert findings(got.report, "eu-central-1") == findings(want, "eu-central-1")

    region = out["region"]
    assert region.code == 4
    assert ("eu-west-1", "lambda:ListFunctions", "AccessDeniedException") in error_keys(region.report)
    assert {e["region"] for e in region.report["errors"]} == {"eu-west-1"}
    assert rows(region.report) == rows(want, "eu-central-1")


def test_denied_list_functions_in_one_region_leaves_the_rest_of_the_scan(
    endpoint: str, clean: dict[str, Outcome]
) -> None:
    runs = Runs(endpoint)
    runs.start("scan", SCAN, deny_operations=["lambda:ListFunctions@eu-west-1"])
    got = runs.wait()["scan"]
    assert got.code == 4, got.stderr
    assert error_keys(got.report) == {("eu-west-1", "lambda:ListFunctions", "AccessDeniedException")}
    want = clean["scan"].report
    assert rows(got.report) == rows(want, "eu-central-1")
    assert dated_alike(got.report, want, "eu-central-1")
    assert findings(got.report, "eu-central-1") == findings(want, "eu-central-1")
    # nothing is claimed about the region that could not be listed
    assert not [f for f in got.report["findings"] if f["region"] == "eu-west-1"]
    # the account-wide parts still read: billing guardrails and IAM roles
    checks = {f["check_id"] for f in got.report["findings"]}
    assert "billing-alarm-missing" in checks and "iam-admin-access" in checks
