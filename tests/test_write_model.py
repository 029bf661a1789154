"""One write model, said the same way everywhere (issue 15, item 7; CONTRACT.md "Commands").

Per rule, over every command that changes AWS, in one emulated demo account per command:
- a bulk change (several resources chosen by a filter) shows its plan and changes nothing without --apply;
- on a terminal --apply shows the whole plan, then asks; a "no" changes nothing and says so in the
  JSON report's `warnings`; --yes / -y does not ask;
- after an applied change the table title says `applied`, not `plan`;
- a single named change (billing-alarm set, set-concurrency) applies, and --dry-run previews;
- every command that takes --apply also takes --dry-run and -y.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from lambdaops.cli.app import COMMANDS, app
from lambdaops.demo import demo_account

runner = CliRunner()
ACCOUNT = "123456789012"
EMAIL = ["--threshold", "50", "--email", "you@example.com"]


def invoke(args: list[str], answer: str | None = None) -> Result:
    return runner.invoke(app, args, input=answer)


def report_of(result: Result) -> Any:
    """The JSON report (CliRunner echoes an answer typed at a prompt onto its stdout first)."""
    return json.loads(result.stdout[result.stdout.index("{") :])


def statuses(result: Result) -> set[str]:
    return {c["status"] for c in report_of(result)["changes"]}


@dataclass
class Bulk:
    """A bulk write: `args` plans it; `setup` makes the demo account hold something for it to change."""

    args: Callable[[Path], list[str]]
    plan_title: str  # what the plan's table title says (on stderr, before the question)
    applied_title: str  # and after --apply (on stdout)
    setup: Callable[[Path], None] = field(default=lambda _tmp: None)


def _pruned(tmp: Path) -> None:
    archive = ["--archive-dir", str(tmp / "archive")]
    out = invoke(
        ["prune", "--days", "250", "--region", "eu-central-1", "--apply", "-y", *archive, "-o", "json"]
    )
    assert out.exit_code == 0, out.stderr


def _alarm_set(_tmp: Path) -> None:
    out = invoke(["billing-alarm", "set", *EMAIL, "-o", "json"])
    assert out.exit_code == 0, out.stderr


BULK = {
    "prune": Bulk(
        lambda tmp: ["prune", "--days", "250", "--region", "eu-central-1", "--archive-dir", str(tmp / "a")],
        "Prune plan",
        "Prune applied",
    ),
    "prune-versions": Bulk(
        lambda _tmp: ["prune-versions", "--keep", "2"], "Prune-versions plan", "Prune-versions applied"
    ),
    "audit-concurrency --cap-unlimited": Bulk(
        lambda _tmp: ["audit-concurrency", "--cap-unlimited", "5", "--region", "eu-central-1"],
        "audit-concurrency: plan",
        "audit-concurrency: applied",
    ),
    "billing-alarm remove": Bulk(
        lambda _tmp: ["billing-alarm", "remove"], "): plan", "): applied", _alarm_set
    ),
    "restore": Bulk(
        lambda tmp: ["restore", str(tmp / "archive" / ACCOUNT / "eu-central-1" / "test")],
        "): plan",
        "): applied",
        _pruned,
    ),
}


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The demo account for one test: commands run without --demo, so state carries between them."""
    with demo_account():
        yield


@pytest.mark.parametrize("name", sorted(BULK))
def test_bulk_write_plans_then_asks_after_the_whole_plan_then_applies(
    name: str, demo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk = BULK[name]
    bulk.setup(tmp_path)
    args = bulk.args(tmp_path)

    plan = invoke([*args, "-o", "json"])  # no --apply: the plan, nothing changed
    assert plan.exit_code == 0, plan.stderr
    assert "planned" in statuses(plan) and "applied" not in statuses(plan)
    dry = invoke([*args, "--dry-run", "-o", "json"])  # accepted, and the same plan
    assert dry.exit_code == 0, dry.stderr
    assert statuses(dry) == statuses(plan)

    monkeypatch.setattr("lambdaops.cli.runner.on_terminal", lambda: True)
    declined = invoke([*args, "--apply", "-o", "json"], answer="n\n")
    assert declined.exit_code == 0, declined.stderr
    assert "Proceed?" in declined.stderr
    assert bulk.plan_title in declined.stderr, declined.stderr  # the whole plan is shown ...
    assert declined.stderr.index(bulk.plan_title) < declined.stderr.index("Proceed?")  # ... first
    assert "applied" not in statuses(declined)
    assert "not confirmed: nothing was changed" in report_of(declined)["warnings"]

    applied = invoke([*args, "--apply", "-y"])  # -y: no question, and the title says applied
    assert applied.exit_code == 0, applied.stderr
    assert "Proceed?" not in applied.stderr
    assert bulk.applied_title in applied.stdout, applied.stdout
    assert bulk.plan_title not in applied.stdout


@pytest.mark.parametrize(
    ("args", "applied_title"),
    [
        (["billing-alarm", "set", *EMAIL], "billing-alarm set: applied"),
        (["set-concurrency", "payroll-export", "--reserved", "3", "--region", "eu-central-1"],
         "set-concurrency: applied"),
    ],
)  # fmt: skip
def test_single_named_change_applies_and_dry_run_previews(
    args: list[str], applied_title: str, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("lambdaops.cli.runner.on_terminal", lambda: True)  # it does not ask even here
    preview = invoke([*args, "--dry-run", "-o", "json"])
    assert preview.exit_code == 0, preview.stderr
    assert "planned" in statuses(preview) and "applied" not in statuses(preview)

    made = invoke(args)
    assert made.exit_code == 0, made.stderr
    assert "Proceed?" not in made.stderr
    assert applied_title in made.stdout

    again = invoke([*args, "-o", "json"])  # idempotent: nothing left to change
    assert statuses(again) == {"unchanged"}


def _help(path: str) -> str:
    return invoke([*path.split(), "--help"]).stdout


def _options(path: str) -> set[str]:
    """The options a command's --help lists (not those its prose mentions)."""
    return set(re.findall(r"^\W*(--[a-z-]+)", _help(path), flags=re.M)) | set(
        re.findall(r"^\W*--[a-z-]+\s+(-[a-z])\b", _help(path), flags=re.M)
    )


def _takes_apply() -> list[str]:
    return [p for p in COMMANDS if "--apply" in _options(p)]


@pytest.mark.parametrize("path", _takes_apply())
def test_every_command_that_takes_apply_takes_dry_run_and_y(path: str) -> None:
    assert {"--dry-run", "--yes", "-y"} <= _options(path), path


def test_the_write_commands_are_the_ones_the_contract_names() -> None:
    takes_apply = set(_takes_apply())
    # export security-hub (issue 21) came after the contract's list: a bulk write, plan unless --apply
    assert takes_apply == {
        "prune",
        "prune-versions",
        "restore",
        "audit-concurrency",
        "billing-alarm remove",
        "export security-hub",
    }
    for single in ("billing-alarm set", "set-concurrency"):
        assert "--dry-run" in _options(single) and "--apply" not in _options(single)
