"""`cost` in every output format, and its options."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo import seed_cost
from lambdaops.parts import Part
from lambdaops.reports.cost import PARTS


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["cost", "--demo", "--region", "eu-west-1", *args], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_csv_is_one_row_per_function_most_expensive_first() -> None:
    code, out, _ = _invoke("-o", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    names = [r["name"] for r in rows]
    assert seed_cost.PC_IDLE.name in names and seed_cost.ARM_STORAGE.name in names
    months = [float(r["cost_monthly"]) for r in rows if r["cost_monthly"]]
    assert months == sorted(months, reverse=True)
    arm = next(r for r in rows if r["name"] == seed_cost.ARM_STORAGE.name)
    assert arm["architecture"] == "arm64" and float(arm["cost_ephemeral"]) > 0


def test_markdown_and_table_carry_totals_and_the_price_date() -> None:
    code, out, _ = _invoke("-o", "markdown")
    assert code == 0
    assert "### Cost over 30 days (USD)" in out and "read 2026-12-06" in out
    assert "| 123456789012 | all |" in out and seed_cost.PC_IDLE.name in out
    code, out, _ = _invoke("-o", "table", "--days", "7")
    assert code == 0
    assert "Cost per function over 7 days" in out and "Totals (USD)" in out
    assert "free tier not subtracted" in out and "lambda-provisioned-idle" in out


@pytest.mark.parametrize("days", ["0", "456"])
def test_days_out_of_range_is_exit_2(days: str) -> None:
    result = CliRunner().invoke(app, ["cost", "--demo", "--days", days])
    assert result.exit_code == 2


def test_cost_gathers_no_part_that_reads_per_function() -> None:
    # concurrency (GetFunctionConcurrency), resource policies, URLs, tags, versions' aliases: none.
    # EDGE is one CloudFront list per account (and replica metrics, batched per region).
    from lambdaops.checks.registry import select
    from lambdaops.collect.gather import expand_parts

    parts = expand_parts(set(PARTS).union(*(c.needs for c in select(group="cost"))))
    assert parts == {
        Part.FUNCTIONS,
        Part.COST_METRICS,
        Part.INVOCATIONS,
        Part.EDGE,
        Part.MEMORY_RECOMMENDATIONS,
    }
