"""End to end: the real `lambdaops` process against a moto server on 127.0.0.1 (AWS_ENDPOINT_URL).

The server holds the demo account; what the process reports must match what was seeded.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from lambdaops.demo.seed import FUNCTIONS, demo_function_names
from lambdaops.demo.seed_activity import THROTTLED_FUNCTION
from lambdaops.demo.seed_archive import IMAGE_FUNCTION, VERSIONED
from tests.support.e2e import run_lambdaops

# seed_archive's functions: deployed 200 days ago, never invoked.
ARCHIVE_CASES = {VERSIONED, IMAGE_FUNCTION}


@pytest.fixture
def endpoint(demo_server: str) -> str:
    return demo_server  # the session's demo account: these tests only read it


def expected_inactive(days: int) -> set[str]:
    """From the seed's own description: deployed before the window, no invocation inside it."""
    out = set()
    for fn in FUNCTIONS:
        if fn.modified_days_ago < days:
            continue
        if any(ago < days for ago in fn.invocations):
            continue
        out.add(fn.name)
    out |= ARCHIVE_CASES
    # seed_cost's planted functions: never invoked ones deployed before the window
    from lambdaops.demo.seed_cost import COST_FUNCTIONS

    out |= {fn.name for fn in COST_FUNCTIONS if not fn.per_day and fn.modified_days_ago >= days}
    return out


@pytest.mark.parametrize("days", [10, 30])
def test_reports_exactly_the_inactive_functions(endpoint: str, days: int) -> None:
    proc = run_lambdaops(
        endpoint,
        "list-inactive", "--days", str(days), "--region", "eu-central-1", "--region", "eu-west-1",
        "--show", "all", "--output", "json",
    )  # fmt: skip
    assert proc.code == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["errors"] == []
    assert data["scope"] == {"accounts": ["123456789012"], "regions": ["eu-central-1", "eu-west-1"]}
    rows = {r["name"]: r for r in data["functions"]}
    assert set(rows) == demo_function_names()
    inactive = {name for name, r in rows.items() if r["status"] == "inactive"}
    assert inactive == expected_inactive(days)
    # Throttles and no Invocations: called and refused, never inactive.
    assert rows[THROTTLED_FUNCTION]["status"] == "throttled"
    assert rows[THROTTLED_FUNCTION]["last_invocation"] is None
    assert {f["resource_name"] for f in data["findings"] if f["check_id"] == "lambda-inactive"} == inactive
    now = datetime.now(UTC)
    for fn in FUNCTIONS:
        row = rows[fn.name]
        if not fn.invocations:
            assert row["last_invocation"] is None and row["days_since_invocation"] is None
            continue
        latest = now - timedelta(days=min(fn.invocations))
        reported = datetime.fromisoformat(row["last_invocation"].replace("Z", "+00:00"))
        # dated within one day, never later than the real last invocation
        assert timedelta(0) <= latest - reported <= timedelta(days=1), fn.name


def test_table_and_exit_code_gate(endpoint: str) -> None:
    proc = run_lambdaops(
        endpoint, "list-inactive", "--days", "10", "--region", "eu-west-1", "--fail-on", "low"
    )
    assert proc.code == 3
    assert "ops-ami-cleanup" in proc.stdout and "inactive" in proc.stdout
    assert proc.stderr == ""
