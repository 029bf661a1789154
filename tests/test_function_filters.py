"""--function GLOB, --tag KEY=VALUE, --exclude-tag KEY=VALUE (issue 15 item 9): applied right after
ListFunctions, so the per-function calls are made for the filtered functions only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdaops.demo.seed import FUNCTIONS
from lambdaops.function_filter import FunctionFilter, build_filter
from tests.test_scan_cli import invoke

NAMES = {fn.name for fn in FUNCTIONS}


def record_params(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    import botocore.client

    calls: list[tuple[str, Any]] = []
    original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def recording(self: Any, operation: str, params: Any) -> Any:
        calls.append((operation, params))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return calls


def after_listing(calls: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The run's own calls: the demo account is seeded (in-process) before the run lists functions."""
    first = next(i for i, (op, _) in enumerate(calls) if op == "ListFunctions")
    return calls[first:]


def named(params: Any) -> set[str]:
    """Every demo function name any parameter mentions (FunctionName, ARNs, metric dimensions)."""
    text = json.dumps(params, default=str)
    return {name for name in NAMES if f'"{name}"' in text or f":function:{name}" in text}


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--function", "fis-projects-*", "--tag", "STAGE=prod"], {"fis-projects-prod-newProject"}),
        (
            ["--function", "fis-projects-dev-*", "--exclude-tag", "STAGE=dev"],
            set(),
        ),
    ],
)
def test_per_function_calls_only_for_the_filtered_functions(
    monkeypatch: pytest.MonkeyPatch, flags: list[str], expected: set[str]
) -> None:
    calls = record_params(monkeypatch)
    result = invoke(["scan", "--demo", "-o", "json", "--fail-on", "none", *flags])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {f["name"] for f in data["functions"]} == expected
    per_function = [(op, p) for op, p in after_listing(calls) if op not in ("ListFunctions", "GetResources")]
    mentioned = set().union(*(named(p) for _, p in per_function))
    # IAM reads roles, not functions; everything else is per function and only for the kept ones
    assert mentioned <= expected, sorted(mentioned - expected)
    assert any(op == "GetResources" for op, _ in after_listing(calls))  # tags were read for the tag filter


def test_without_a_tag_filter_tags_are_not_read_for_filtering(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_params(monkeypatch)
    result = invoke(
        ["list-inactive", "--demo", "-o", "json", "--show", "all", "--function", "fis-projects-dev-*"]
    )
    assert result.exit_code in (0, 3), result.stderr
    names = {f["name"] for f in json.loads(result.stdout)["functions"]}
    assert names and all(n.startswith("fis-projects-dev-") for n in names)
    run = after_listing(calls)
    assert not any(op == "GetResources" for op, _ in run)
    assert set().union(*(named(p) for op, p in run if op != "ListFunctions")) <= names


@pytest.mark.parametrize(
    "flags",
    [
        ["--tag", "team"],
        ["--tag", "=x"],
        ["--exclude-tag", "nokey"],
        ["--function", ""],
        ["--tag", "k" * 129 + "=v"],
    ],
)
def test_bad_filter_values_exit_2(flags: list[str]) -> None:
    result = invoke(["list-inactive", "--demo", *flags])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_filter_semantics() -> None:
    f = build_filter(["a-*", "b"], ["team=x", "team=y", "env=prod"], ["keep=no"])
    assert f is not None
    assert f.admits("a-1", {"team": "y", "env": "prod"})
    assert not f.admits("a-1", {"team": "z", "env": "prod"})  # one of the key's values
    assert not f.admits("a-1", {"team": "x"})  # every key
    assert not f.admits("a-1", {"team": "x", "env": "prod", "keep": "no"})
    assert not f.admits("c", {"team": "x", "env": "prod"})
    assert build_filter([], [], []) is None
    assert FunctionFilter(tags=(("k", ""),)).admits("f", {"k": ""})  # empty values are values
