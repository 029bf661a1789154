"""The JSON report schema (lambdaops/data/report.schema.json) holds for every command's output.

Every command runs against the demo account with `--output json`, and its output must validate
against the shipped JSON Schema (draft 2020-12). The commands that only read (plans included) read
the session's served demo account (conftest `demo_server`, seeded once); those that write
(`billing-alarm set` and `set-concurrency` apply by default, `prune --apply`) run in a `--demo`
account of their own, so no other test sees their changes. The schema is strict where the contract is
(envelope keys, the status enums, findings, errors, changes), so a new key or status that is not
documented there fails here.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo.code_packages import OSV_EXPORT
from lambdaops.inventory import ActivityStatus
from lambdaops.model import ChangeStatus, FindingStatus, Severity

runner = CliRunner()


def _schema() -> dict[str, Any]:
    text = resources.files("lambdaops").joinpath("data/report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def served(demo_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read the session's demo server (seeded once) instead of seeding a `--demo` account per run."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", demo_server)


# Commands that change the account they run against (without --dry-run): never on the shared server.
WRITES = (["billing-alarm", "set"], ["set-concurrency"])


def _read_only(args: list[str]) -> list[str]:
    """`args` against the served demo account: `--demo` becomes the demo's regions (a command that
    writes keeps its own `--demo` account)."""
    if any(args[: len(w)] == w for w in WRITES):
        return args
    rest = [a for a in args if a != "--demo"]
    return rest if "--region" in rest else [*rest, "--region", "eu-central-1", "--region", "eu-west-1"]


def _json(args: list[str], ok: tuple[int, ...] = (0, 3)) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--output", "json"], catch_exceptions=False)
    assert result.exit_code in ok, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _valid(validator: jsonschema.Draft202012Validator, data: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == [], errors


COMMANDS = [
    ["list-inactive", "--demo"],
    ["list-inactive", "--demo", "--show", "all"],
    ["audit-concurrency", "--demo"],
    ["audit-iam", "--demo"],
    ["scan", "--demo"],
    ["prune", "--demo", "--days", "30"],
    ["prune-versions", "--demo"],
    ["billing-alarm", "check", "--demo"],
    ["billing-alarm", "set", "--demo", "--email", "ops@example.com", "--threshold", "500"],
    ["billing-alarm", "remove", "--demo"],
    ["set-concurrency", "image-resize", "--reserved", "160", "--region", "eu-central-1", "--demo"],
    ["audit-code", "--demo", "--region", "eu-central-1", "--osv-db", str(OSV_EXPORT)],
    ["scan", "--demo", "--region", "eu-central-1", "--with-code", "--osv-db", str(OSV_EXPORT)],
    ["least-privilege", "--demo", "--role", "reports-exporter-role"],
    ["cost", "--demo"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_command_validates(
    args: list[str], in_tmp: Path, served: None, validator: jsonschema.Draft202012Validator
) -> None:
    # prune: exit 2, the demo's container-image function cannot be archived completely (refused)
    _valid(validator, _json(_read_only(args), ok=(2,) if args[0] == "prune" else (0, 3)))


def test_list_inactive_rows_include_throttled_and_it_validates(
    in_tmp: Path, served: None, validator: jsonschema.Draft202012Validator
) -> None:
    data = _json(_read_only(["list-inactive", "--demo", "--show", "all"]))
    assert "throttled" in {r["status"] for r in data["functions"]}
    _valid(validator, data)


def test_merge_restore_and_apply_outputs_validate(
    in_tmp: Path, validator: jsonschema.Draft202012Validator
) -> None:
    for i in (1, 2):
        (in_tmp / f"r{i}.json").write_text(
            json.dumps(_json(["list-inactive", "--demo", "--region", "eu-west-1"])), encoding="utf-8"
        )
    _valid(validator, _json(["merge", str(in_tmp / "r1.json"), str(in_tmp / "r2.json")]))
    # exit 2: the demo's container-image function cannot be archived completely and is refused
    applied = _json(["prune", "--demo", "--days", "30", "--apply", "--yes"], ok=(2,))
    _valid(validator, applied)
    archived = sorted((in_tmp / "lambdaops-archive").glob("*/*/*"))
    assert archived, "prune --apply archived the demo's inactive functions"
    # A fresh demo account still holds the function: restore refuses or plans; either way, JSON.
    _valid(validator, _json(["restore", str(archived[0]), "--demo"], ok=(0, 2, 3)))


def test_schema_enums_match_the_code() -> None:
    defs = _schema()["$defs"]
    assert set(defs["activity_status"]["enum"]) == {s.value for s in ActivityStatus}
    assert set(defs["severity"]["enum"]) == {s.label for s in Severity}
    assert set(defs["change"]["properties"]["status"]["enum"]) == {s.value for s in ChangeStatus}
    assert set(defs["finding"]["properties"]["status"]["enum"]) == {s.value for s in FindingStatus}


def test_schema_rejects_an_undocumented_status(
    served: None, validator: jsonschema.Draft202012Validator
) -> None:
    data = _json(_read_only(["list-inactive", "--demo"]))
    data["functions"][0]["status"] = "idle-ish"
    assert list(validator.iter_errors(data))
