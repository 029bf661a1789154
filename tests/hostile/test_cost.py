"""Nothing lost, nothing silenced, for `cost`: a price that is missing, a metric or a provisioned
config that cannot be read, and a bad price file are each said, never turned into $0."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo import seed_cost


def _run(args: list[str], deny: str | None = None) -> tuple[int, dict[str, Any] | None, str]:
    """`cost --demo` with `deny` ("service:Operation") refused as AWS refuses it, after the seed."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    import lambdaops.demo.seed as seed_module

    state = {"seeded": False}
    real_seed, real_call = seed_module.seed_demo, BaseClient._make_api_call

    def seeding(*a: Any, **kw: Any) -> None:
        real_seed(*a, **kw)
        state["seeded"] = True

    def call(self: Any, operation: str, params: Any) -> Any:
        if state["seeded"] and f"{self.meta.service_model.service_name}:{operation}" == deny:
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, operation
            )
        return real_call(self, operation, params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(seed_module, "seed_demo", seeding)
        mp.setattr(BaseClient, "_make_api_call", call)
        result = CliRunner().invoke(app, ["cost", "--demo", "-o", "json", *args], catch_exceptions=False)
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result.exit_code, report, result.stderr


def test_unreadable_metrics_are_unread_and_exit_4_never_free() -> None:
    code, report, _ = _run(["--region", "eu-west-1"], deny="cloudwatch:GetMetricData")
    assert code == 4 and report is not None
    section = report["cost"]
    assert section["functions"] == []  # nothing priced on data that was not read
    assert len(section["unread"]) > 0
    (account,) = section["accounts"]
    assert account["complete"] is False and account["unread_functions"] == len(section["unread"])
    assert any(e["operation"] == "cloudwatch:GetMetricData" for e in report["errors"])


def test_unreadable_provisioned_configs_make_those_functions_unknown() -> None:
    code, report, _ = _run(["--region", "eu-west-1"], deny="lambda:ListProvisionedConcurrencyConfigs")
    assert code == 4 and report is not None
    unread = report["cost"]["unread"]
    priced = {r["name"] for r in report["cost"]["functions"]}
    # the functions with a published version could have provisioned concurrency: unknown
    assert any(a.endswith(f":function:{seed_cost.PC_IDLE.name}") for a in unread)
    assert seed_cost.PC_IDLE.name not in priced
    # a function without a published version cannot have any: still priced
    assert seed_cost.ARM_STORAGE.name in priced


def test_a_region_the_price_file_lacks_is_a_gap_with_a_warning(tmp_path: Path) -> None:
    table = {
        "source": "our negotiated rates",
        "read": "2026-12-01",
        "regions": {"eu-central-1": {"requests_per_million": 0.2, "x86_64": {"duration_gb_s": 0.00001}}},
    }
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(table))
    code, report, stderr = _run(["--region", "eu-west-1", "--price-file", str(path)])
    assert code == 0 and report is not None
    rows = report["cost"]["functions"]
    assert rows and all(r["cost_monthly"] is None and not r["priced"] for r in rows)
    assert all("no prices for region eu-west-1 in the price table" in r["gaps"] for r in rows)
    assert (
        report["cost"]["accounts"][0]["cost_monthly"] == 0 and not report["cost"]["accounts"][0]["complete"]
    )
    assert "not priced: no prices for region eu-west-1" in stderr
    assert report["cost"]["prices"]["file"] == str(path)


def test_a_rate_the_price_file_lacks_is_a_gap_never_zero(tmp_path: Path) -> None:
    # The shipped table prices everything in the demo regions; a table without eu-central-1's
    # provisioned-concurrency rates must leave the function that has some unpriced, with a warning.
    table = json.loads(resources.files("lambdaops").joinpath("data/prices.json").read_text())
    for arch in ("x86_64", "arm64"):
        del table["regions"]["eu-central-1"][arch]["provisioned_gb_s"]
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(table))
    code, report, stderr = _run(["--price-file", str(path)])
    assert code == 0 and report is not None
    rows = {r["name"]: r for r in report["cost"]["functions"]}
    busy = rows[seed_cost.PC_BUSY.name]
    assert busy["priced"] is False and busy["cost_monthly"] is None
    assert "no provisioned-concurrency price for eu-central-1 x86_64" in busy["gaps"]
    assert rows[seed_cost.PC_IDLE.name]["priced"] is True  # eu-west-1 keeps its rates
    assert not report["cost"]["accounts"][0]["complete"]
    assert "not priced" in stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "is not JSON"),
        (json.dumps({"read": "x", "regions": {"r": {}}}), "source is missing"),
        (
            json.dumps({"source": "s", "read": "d", "regions": {"eu-west-1": {"requests_per_million": -1}}}),
            "expected a price of 0 or more",
        ),
        (
            '{"source": "s", "read": "d", "regions": {"eu-west-1": {"requests_per_million": NaN}}}',
            "expected a price of 0 or more",
        ),
        (
            json.dumps(
                {"source": "s", "read": "d", "regions": {"eu-west-1": {"requests_per_million": 1, "x86": {}}}}
            ),
            "unknown keys",
        ),
        (
            json.dumps({"source": "s", "read": "d", "currency": "EUR", "regions": {"r": {}}}),
            "bills Lambda in USD",
        ),
    ],
)
def test_a_bad_price_file_is_exit_2_in_one_line(tmp_path: Path, content: str, says: str) -> None:
    from lambdaops.cli.app import main

    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(SystemExit) as exit_info:
        main(["cost", "--demo", "--price-file", str(path)])
    assert exit_info.value.code == 2


def test_a_bad_price_file_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lambdaops.cli.app import main

    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps({"source": "s", "read": "d", "regions": {"eu-west-1": {"requests_per_million": "1"}}})
    )
    with pytest.raises(SystemExit):
        main(["cost", "--price-file", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--price-file" in err[0] and "expected a number" in err[0]
    assert "Traceback" not in err[0]


def test_a_bad_price_file_in_the_config_stops_scan_too(tmp_path: Path) -> None:
    config = tmp_path / "lambdaops.toml"
    config.write_text(f'price_file = "{tmp_path / "missing.json"}"\n')
    result = CliRunner().invoke(app, ["scan", "--demo", "--config", str(config)])
    assert result.exit_code == 2 and "price_file" in result.stderr
