"""The reports' one shape: a RunScope in, checks run through checked_report, activity judged with
Lambda@Edge wherever it is read (issue "A codebase a newcomer can change")."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime
from pathlib import Path

import pytest

import lambdaops.reports
from lambdaops.analysis.activity import ACTIVITY_PARTS
from lambdaops.checks.registry import all_checks
from lambdaops.collect.context import AwsContext
from lambdaops.collect.gather import SPECS, expand_parts
from lambdaops.collect.run_scope import RunScope
from lambdaops.parts import Part
from lambdaops.settings import Settings

ROOT = Path(lambdaops.reports.__file__).parent.parent
NOW = datetime(2026, 12, 6, tzinfo=UTC)


def _report_modules() -> list[str]:
    return [f"lambdaops.reports.{m.name}" for m in pkgutil.iter_modules(lambdaops.reports.__path__)]


def _calls(path: Path) -> set[str]:
    """The names of everything called in a module (`f(...)` and `x.f(...)`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


# export security-hub sends an earlier report's findings: its scope is that report's accounts and
# regions, not the run's, so it takes the AWS context and the report.
TAKES_A_REPORT = {"lambdaops.reports.security_hub.export_report"}
# Reads activity only to leave a function to lambda-provisioned-inactive, which says it louder; when
# activity was not gathered (that check not selected) it reports the function itself.
DEFERS_ON_ACTIVITY = {"lambda-provisioned-idle"}


def test_no_report_function_takes_the_run_piece_by_piece() -> None:
    # (ctx, regions, settings, now) travel together as one RunScope.
    offenders = []
    for name in _report_modules():
        module = importlib.import_module(name)
        for fname, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != name or fname.startswith("_"):
                continue
            params = set(inspect.signature(fn).parameters)
            if f"{name}.{fname}" in TAKES_A_REPORT:
                continue
            if "regions" in params or {"ctx", "now"} <= params:
                offenders.append(f"{name}.{fname}")
    assert offenders == []


def test_checks_run_and_coverage_is_counted_in_one_place() -> None:
    # Only reports/checked.py runs checks and records their coverage: every report that runs
    # checks goes through checked_report, so activity, coverage and tags are the same everywhere.
    runners = {
        path.name
        for path in (ROOT / "reports").glob("*.py")
        if {"record_coverage", "classify_all"} & _calls(path)
    }
    assert runners == {"checked.py"}
    users = {path.name for path in (ROOT / "reports").glob("*.py") if "checked_report" in _calls(path)}
    assert {
        "scan.py",
        "list_inactive.py",
        "audit_iam.py",
        "audit_concurrency.py",
        "audit_code.py",
        "cost.py",
        "least_privilege.py",
        "billing.py",
    } <= users


def test_edge_is_a_declared_account_part_after_the_invocations() -> None:
    expand_parts({Part.EDGE})  # loads the collectors
    spec = SPECS[Part.EDGE]
    assert spec.account_wide
    assert spec.needs == {Part.FUNCTIONS, Part.INVOCATIONS}
    assert expand_parts({Part.EDGE}) == ACTIVITY_PARTS


def test_every_check_that_reads_activity_needs_lambda_edge() -> None:
    # A check that reads Inventory.activity without EDGE would call a busy edge function idle.
    readers = []
    for check in all_checks().values():
        source = inspect.getsource(inspect.getmodule(check.run))  # type: ignore[arg-type]
        if ".activity" in source and check.id not in DEFERS_ON_ACTIVITY:
            readers.append(check.id)
            assert check.needs >= ACTIVITY_PARTS, check.id
    assert "lambda-inactive" in readers  # the rule is exercised


def test_run_scope_is_frozen_and_with_settings_copies() -> None:
    scope = RunScope(AwsContext(accounts=[]), {}, Settings(days=10), NOW)
    other = scope.with_settings(Settings(days=20))
    assert (scope.settings.days, other.settings.days) == (10, 20)
    assert other.ctx is scope.ctx and other.now == scope.now
    with pytest.raises(FrozenInstanceError):
        scope.now = NOW  # type: ignore[misc]


def test_the_inventory_says_which_parts_were_gathered() -> None:
    scope = RunScope(AwsContext(accounts=[]), {}, Settings(), NOW)
    inv = scope.gather({Part.EDGE})
    assert inv.gathered == ACTIVITY_PARTS  # needs included
    assert inv.window_days == Settings().days


def test_tests_build_functions_through_the_one_factory() -> None:
    # tests/support/inventory.function is the one FunctionInfo builder: a field added to FunctionInfo
    # is then a change to one test file, not to every test that builds a function by hand.
    tests = Path(__file__).parent
    by_hand = sorted(
        str(path.relative_to(tests))
        for path in tests.rglob("*.py")
        if "support" not in path.parts and path != Path(__file__) and "FunctionInfo(" in path.read_text()
    )
    assert by_hand == []
