"""The check catalogue's layout rule: one module per check, in its area's package, named after its id."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from lambdaops.checks.registry import all_checks, area_modules, check_modules, module_for


def test_every_check_lives_where_its_id_says() -> None:
    for check_id, info in all_checks().items():
        assert info.run.__module__ == module_for(check_id), check_id
        assert info.run.__name__ == "run", f"{check_id}: the entry point is named `run`"


def test_one_check_per_module_and_helpers_register_none() -> None:
    owners = [info.run.__module__ for info in all_checks().values()]
    assert len(owners) == len(set(owners))
    helpers = set(area_modules()) - set(check_modules())
    for name in helpers:
        module = importlib.import_module(name)
        assert not hasattr(module, "INFO"), f"{name} holds an INFO but registers no check"


def test_a_new_area_module_joins_the_catalogue_by_existing() -> None:
    assert "lambdaops.checks.iam.iam_admin_access" in check_modules()
    assert "lambdaops.checks.iam.iam_common" in area_modules()
    assert "lambdaops.checks.iam.iam_common" not in check_modules()


def test_checks_build_findings_through_their_check_info() -> None:
    """Severity, title and remediation come from the CheckInfo (`INFO.finding`, `resource_finding`,
    `account_finding`): no module of an area package builds a Finding by hand."""
    offenders = []
    for name in area_modules():
        module = importlib.import_module(name)
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"Finding", "function_finding"}
            ):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []
