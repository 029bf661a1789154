"""least-privilege in every format: the selection (`--role`, `--function`) is what the coverage counts
and the report names, and markdown and CSV carry each role's proposal, diff and confidence as the
table and the JSON do."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo import seed_leastpriv as planted
from lambdaops.model import Report
from lambdaops.render import render
from lambdaops.render.least_privilege_text import fenced

runner = CliRunner()
ROLE = planted.ROLE_NAME


def invoke(*args: str) -> str:
    result = runner.invoke(app, ["least-privilege", "--demo", "--no-progress", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def by_role() -> dict[str, Any]:
    return dict(json.loads(invoke("--role", ROLE, "-o", "json")))


@pytest.fixture(scope="module")
def everything() -> dict[str, Any]:
    return dict(json.loads(invoke("-o", "json")))


def checked(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {c["check_id"]: (c["checked"], c["passed"]) for c in report["summary"]["checks"]}


def test_role_selection_counts_only_the_selected_role(by_role: dict[str, Any]) -> None:
    assert checked(by_role) == {"iam-unused-action": (1, 0), "iam-unused-service": (1, 0)}
    assert by_role["selection"] == {
        "roles": [ROLE],
        "functions": [],
        "tags": [],
        "exclude_tags": [],
        "roles_covered": 1,
        "functions_covered": 1,
    }
    assert len(by_role["least_privilege"]) == 1


def test_without_a_selection_every_count_agrees(everything: dict[str, Any]) -> None:
    entries = everything["least_privilege"]
    selection = everything["selection"]
    assert selection["roles"] == [] and selection["functions"] == []
    assert selection["roles_covered"] == len(entries) > 1
    assert selection["functions_covered"] == sum(len(e["functions"]) for e in entries)
    for count, passed in checked(everything).values():
        assert count == len(entries)
        assert passed == count - 1  # only the planted role has unused permissions


def test_function_selection_is_named_and_counted() -> None:
    report = json.loads(invoke("--function", planted.FUNCTION_NAME, "-o", "json"))
    assert report["selection"]["functions"] == [planted.FUNCTION_NAME]
    assert report["selection"]["roles_covered"] == 1 and report["selection"]["functions_covered"] == 1
    assert {c for c, _ in checked(report).values()} == {1}


def test_markdown_carries_selection_policy_diff_and_confidence(by_role: dict[str, Any]) -> None:
    text = invoke("--role", ROLE, "-o", "markdown")
    (entry,) = by_role["least_privilege"]
    assert f"Selection: --role {ROLE}: 1 role, used by 1 function." in text.replace("\\", "")
    blocks = re.findall(r"^```(\w+)\n(.*?)\n```$", text, flags=re.S | re.M)
    kinds = [k for k, _ in blocks]
    assert kinds == ["diff", "json", "yaml"]
    assert json.loads(blocks[1][1]) == entry["policy"]
    assert blocks[0][1].splitlines() == entry["diff"]
    assert entry["cloudformation"].rstrip() == blocks[2][1]
    statement = entry["confidence"]["statement"]
    assert "Confidence: **partial**" in text and statement.split(";")[0] in text
    assert "| `iam-unused-service` | 1 role |" in text  # the checks' coverage: the selection only


def test_csv_has_one_row_per_role_with_the_proposal(everything: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(invoke("-o", "csv"))))
    entries = {e["role_name"]: e for e in everything["least_privilege"]}
    assert sorted(r["role_name"] for r in rows) == sorted(entries)
    (row,) = [r for r in rows if r["role_name"] == ROLE]
    entry = entries[ROLE]
    assert json.loads(row["policy"]) == entry["policy"]
    assert row["confidence"] == "partial" and row["confidence_statement"] == entry["confidence"]["statement"]
    assert row["outcome"] == "proposed"
    assert row["services_removed"] == "dynamodb, sqs"
    assert int(row["actions_removed"]) == sum(len(s["removed"]) for s in entry["services"]) > 0
    assert row["diff"] == "'" + "\n".join(entry["diff"])  # formula guard: the diff starts with "-"
    assert row["findings"].count(": fail") == 3
    quiet = [r for r in rows if r["role_name"] != ROLE]
    assert all(r["outcome"] != "proposed" and r["policy"] == "" for r in quiet)


def test_the_table_names_the_selection_and_counts_it() -> None:
    text = invoke("--role", ROLE)
    assert f"Selection: --role {ROLE}: 1 role, used by 1 function." in " ".join(text.split())
    assert re.search(r"iam-unused-action\s+1 role\s", text)


def hostile_report() -> Report:
    name = '=HYPERLINK("https://evil.example")'
    entry = {
        "account_id": "123456789012",
        "role_arn": f"arn:aws:iam::123456789012:role/{name}",
        "role_name": name,
        "functions": ["arn:aws:lambda:eu-west-1:123456789012:function:@team"],
        "days": 90,
        "observed_days": 200,
        "confidence": {"level": "high", "statement": "everything judged was tracked"},
        "policy": {"Version": "2012-10-17", "Statement": [{"Sid": "x\n```\n<b>", "Effect": "Allow"}]},
        "services": [{"service": "sqs", "status": "unused", "removed": ["sqs:SendMessage"]}],
        "diff": ["- sqs: all 1 action(s) granted today"],
        "cloudformation": "Policies: []\n```\n# done",
        "notes": [],
        "problems": [],
    }
    report = Report(command="least-privilege", generated_at=datetime(2026, 12, 6, tzinfo=UTC))
    report.sections["least_privilege"] = [entry]
    report.sections["selection"] = {"roles": [name], "roles_covered": 1, "functions_covered": 1}
    return report


def test_account_text_stays_data_in_csv_and_markdown() -> None:
    report = hostile_report()
    (row,) = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert row["role_name"].startswith("'=")
    text = render(report, "markdown")
    table = text.split("#### ")[0]
    assert "@&#8203;team" in table  # a name is never a mention
    # the snippet and the policy hold ``` runs: their fences are longer, so they never close early
    assert "\n````yaml\nPolicies: []\n```\n# done\n````\n" in text
    assert "\n````json\n" in text


def test_fenced_outlasts_any_backtick_run() -> None:
    lines = fenced("a\n`````\nb", "json")
    assert lines[0] == "``````json" and lines[-1] == "``````"
    assert fenced("{}", "json") == ["```json", "{}", "```"]
