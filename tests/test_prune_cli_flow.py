"""prune's CLI flow (issue 15, items 2 and 7): --days required, each planned function says why it
qualifies, and the title says `plan` until the changes were applied."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.model import Change, ChangeStatus, Report
from lambdaops.render.prune_tables import render_prune_table
from lambdaops.views import Phase, PruneView

runner = CliRunner()
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:"


def _change(name: str, last: str | None, days: int | None, status: ChangeStatus) -> Change:
    params = {
        "function": name,
        "account_id": "123456789012",
        "region": "eu-west-1",
        "last_invocation": last,
        "days_since_invocation": days,
        "archive": f"archive/123456789012/eu-west-1/{name}",
    }
    return Change("prune", ARN + name, params, status, "inactive: archive, then delete")


def _render(report: Report, width: int = 160) -> str:
    buf = io.StringIO()
    render_prune_table(report, Console(file=buf, width=width, no_color=True))
    return buf.getvalue()


def test_prune_requires_days() -> None:
    result = runner.invoke(app, ["prune", "--demo"])
    assert result.exit_code == 2
    assert "prune needs --days" in result.stderr
    assert result.stdout == ""


def test_plan_says_why_each_function_qualifies_and_title_follows_the_write_model() -> None:
    report = Report(
        command="prune",
        generated_at=datetime(2026, 12, 6, tzinfo=UTC),
        changes=[
            _change("old-job", "2026-02-19T00:00:00Z", 290, ChangeStatus.PLANNED),
            _change("never-called", None, None, ChangeStatus.PLANNED),
        ],
        view=PruneView(window_days=30),
    )
    text = " ".join(_render(report).split())
    assert "Prune plan: inactive functions (2)" in text
    assert "idle 290 days (last invoked 2026-02-19)" in text
    assert "no Invocations datapoint in 455 days" in text
    assert "nothing was changed" in text
    report.changes = [_change("old-job", "2026-02-19T00:00:00Z", 290, ChangeStatus.APPLIED)]
    report.view = PruneView(window_days=30, phase=Phase.APPLIED)
    assert "Prune applied: inactive functions (1)" in _render(report)


def test_plan_at_80_columns_keeps_function_names_whole() -> None:
    name = "transactions-api-dev-legacyExportWithAVeryLongName"
    report = Report(
        command="prune",
        generated_at=datetime(2026, 12, 6, tzinfo=UTC),
        changes=[_change(name, "2026-03-31T00:00:00Z", 250, ChangeStatus.PLANNED)],
    )
    lines = _render(report, width=80).splitlines()
    assert any(name in line for line in lines)
    assert all(len(line.rstrip()) <= 80 for line in lines)


def test_set_concurrency_title_says_applied_after_an_applied_change() -> None:
    from lambdaops.render.concurrency_table import render_concurrency_plan

    change = Change(
        "put_function_concurrency",
        ARN + "api",
        {"function_name": "api", "region": "eu-west-1", "reserved_concurrency": 5},
        ChangeStatus.APPLIED,
        "reserved",
    )
    report = Report(
        command="set-concurrency", generated_at=datetime(2026, 12, 6, tzinfo=UTC), changes=[change]
    )
    buf = io.StringIO()
    render_concurrency_plan(report, Console(file=buf, width=160, no_color=True))
    assert "set-concurrency: applied" in buf.getvalue()
    report.changes = [Change(change.action, change.resource_arn, change.params, ChangeStatus.PLANNED, "")]
    buf = io.StringIO()
    render_concurrency_plan(report, Console(file=buf, width=160, no_color=True))
    assert "set-concurrency: plan" in buf.getvalue()


def test_yes_has_its_short_form_everywhere() -> None:
    for command in (["prune"], ["prune-versions"], ["audit-concurrency"], ["billing-alarm", "remove"]):
        help_text = runner.invoke(app, [*command, "--help"]).stdout
        assert "-y" in help_text, command
