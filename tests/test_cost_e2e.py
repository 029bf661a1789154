"""`cost` as a real process against the served demo account (moto server, lambdaops' shims):
the usage, the prices and Compute Optimizer (answered by the server's WSGI shim) come over HTTP."""

from __future__ import annotations

from lambdaops.demo import seed_cost
from tests.support.e2e import run_lambdaops


def test_cost_against_the_served_demo(demo_server: str) -> None:
    out = run_lambdaops(
        demo_server, "cost", "--region", "eu-west-1", "--region", "eu-central-1", "-o", "json"
    )
    assert out.code == 0, out.stderr
    report = out.report
    assert report["errors"] == []
    section = report["cost"]
    assert {r["region"]: r["compute_optimizer"] for r in section["regions"]} == {
        "eu-central-1": "not-enabled",
        "eu-west-1": "enabled",
    }
    rows = {r["name"]: r for r in section["functions"]}
    assert rows[seed_cost.OVERSIZED]["memory"]["recommended_mb"] == 2048
    assert rows[seed_cost.PC_IDLE.name]["provisioned"][0]["allocated"] == 10
    assert {f["check_id"] for f in report["findings"]} == {
        "lambda-provisioned-idle",
        "lambda-provisioned-inactive",
    }
