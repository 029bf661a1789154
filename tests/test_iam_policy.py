"""`lambdaops iam-policy`: generated from the declarations, allows what lambdaops calls, nothing broad."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from lambdaops import permissions
from lambdaops.cli.app import app
from lambdaops.demo.code_packages import OSV_EXPORT
from lambdaops.policy.analyze import (
    ACTION_WILDCARD,
    ADMIN_ACCESS,
    NOTACTION_ALLOW,
    NOTRESOURCE_ALLOW,
    RESOURCE_WILDCARD,
    SERVICE_WILDCARD,
    analyze_policy,
)
from tests.support.api_recorder import RECORDER, ApiRecorder
from tests.support.fixtures import put_billing_alarm

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no lambdaops.toml of the developer's
    return tmp_path


def read_policy_actions() -> frozenset[str]:
    return permissions.allowed_actions(permissions.policy_document())


# --------------------------------------------------------------------------- the policy itself


@pytest.mark.parametrize(("with_remediation", "multi_account"), [(False, False), (True, False), (True, True)])
def test_policy_names_every_action_and_grants_nothing_broad(
    with_remediation: bool, multi_account: bool
) -> None:
    document = permissions.policy_document(with_remediation, multi_account, role_name="Audit")
    assert document["Version"] == "2012-10-17"
    actions = [a for s in document["Statement"] for a in s["Action"]]
    assert actions and len(actions) == len(set(actions))
    assert all(permissions.ACTION_RE.match(a) for a in actions), actions
    # lambdaops' own IAM analyzer: none of the rules a least-privilege policy must not break.
    analysis = analyze_policy(document)
    assert not analysis.errors
    broad = {ADMIN_ACCESS, SERVICE_WILDCARD, ACTION_WILDCARD, NOTACTION_ALLOW, NOTRESOURCE_ALLOW}
    assert not [r for r in analysis.results if r.rule in broad]
    if not with_remediation:
        # Reads on "*" are not a finding; a write would be.
        assert not [r for r in analysis.results if r.rule == RESOURCE_WILDCARD]


def test_read_policy_holds_only_reads_and_no_free_call() -> None:
    by_access = permissions.policy_actions()
    assert set(by_access) == {permissions.READ}
    reads = set(by_access[permissions.READ])
    assert "sts:GetCallerIdentity" not in reads  # needs no permission
    assert not reads & {"organizations:ListAccounts", "sts:AssumeRole"}  # only with --multi-account
    writes = {p.action for p in permissions.permissions() if p.access in permissions.REMEDIATION}
    assert writes and not reads & writes
    # prune's reads (the state archived before a delete) are not needed by any read-only command;
    # GetFunction is a read now: scan reads reservations from it (its own 100/s quota)
    assert "lambda:ListEventSourceMappings" in writes
    assert "lambda:GetFunction" in reads and "lambda:GetFunctionConcurrency" not in reads


def test_remediation_adds_the_writes_and_passrole_only_to_lambda() -> None:
    document = permissions.policy_document(with_remediation=True)
    allowed = permissions.allowed_actions(document)
    writes = {p.action.lower() for p in permissions.permissions() if p.access in permissions.REMEDIATION}
    assert writes <= allowed
    assert read_policy_actions() <= allowed
    for stmt in document["Statement"]:
        if "iam:PassRole" in stmt["Action"]:
            assert stmt["Action"] == ["iam:PassRole"]
            assert stmt["Condition"] == {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}


def test_multi_account_assumes_only_the_named_role() -> None:
    document = permissions.policy_document(multi_account=True, role_name="LambdaopsAudit")
    [assume] = [s for s in document["Statement"] if s["Action"] == ["sts:AssumeRole"]]
    assert assume["Resource"] == "arn:aws:iam::*:role/LambdaopsAudit"
    assert "organizations:listaccounts" in permissions.allowed_actions(document)


def test_every_declared_action_is_explained() -> None:
    declared = {p.action for p in permissions.permissions()}
    assert declared == set(permissions.EXPLANATIONS), (
        f"unexplained: {sorted(declared - set(permissions.EXPLANATIONS))}; "
        f"explained but not declared: {sorted(set(permissions.EXPLANATIONS) - declared)}"
    )
    assert all(p.why for p in permissions.permissions())


def test_a_wildcard_declaration_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "fakecollect"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "svc.py").write_text('OPERATIONS = ("lambda:List*",)\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(permissions.DeclarationError, match=r"fakecollect\.svc\.OPERATIONS: 'lambda:List\*'"):
        permissions.declarations(["fakecollect"])
    sys.modules.pop("fakecollect.svc", None)
    sys.modules.pop("fakecollect", None)


@pytest.mark.parametrize(
    ("service", "operation", "params", "expected"),
    [
        ("lambda", "ListFunctions", None, {"lambda:ListFunctions"}),
        ("resourcegroupstaggingapi", "GetResources", None, {"tag:GetResources"}),
        ("monitoring", "GetMetricData", None, {"cloudwatch:GetMetricData"}),
        ("sts", "GetCallerIdentity", None, set()),
        ("budgets", "DescribeBudgets", None, {"budgets:ViewBudget"}),
        ("budgets", "DescribeSubscribersForNotification", None, {"budgets:ViewBudget"}),
        ("budgets", "CreateBudget", {}, {"budgets:ModifyBudget"}),
        ("budgets", "CreateSubscriber", None, {"budgets:ModifyBudget"}),
        ("lambda", "GetFunction", None, {"lambda:GetFunction", "lambda:ListTags"}),
        ("lambda", "CreateFunction", {"Tags": {"a": "b"}},
         {"lambda:CreateFunction", "iam:PassRole", "lambda:TagResource"}),
        ("cloudwatch", "PutMetricAlarm", {"Tags": [{"Key": "a", "Value": "b"}]},
         {"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"}),
        ("sns", "CreateTopic", {"Name": "t"}, {"sns:CreateTopic"}),
    ],
)  # fmt: skip
def test_api_calls_map_to_the_iam_actions_that_authorize_them(
    service: str, operation: str, params: Any, expected: set[str]
) -> None:
    assert permissions.iam_actions_for(service, operation, params) == expected


# --------------------------------------------------------------------------- the recorder


def test_recorder_counts_lambdaops_calls_only() -> None:
    from lambdaops.collect import awslambda
    from lambdaops.demo import demo_account

    with RECORDER.scope() as needed, demo_account():  # the seed (lambdaops.demo) is not lambdaops' own
        client = boto3.client("lambda", region_name="eu-west-1")
        client.get_account_settings()  # the test's own call
        assert needed == set()
        functions, _, error = awslambda.list_functions(client, "123456789012", "eu-west-1")
        assert functions and error is None
    assert needed == {"lambda:ListFunctions"}
    assert "lambdaops.collect.awslambda" in RECORDER.calls["lambda:ListFunctions"]


def test_recorder_ignores_a_test_stand_in_that_lambdaops_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    from lambdaops.collect import guard

    with mock_aws(), RECORDER.scope() as needed:
        client = boto3.client("lambda", region_name="eu-west-1")
        # lambdaops' guarded() calls this test function, which makes its own call
        guard.guarded([], "123456789012", "eu-west-1", "x:Y", lambda: client.list_layers(MaxItems=1))
        guard.guarded([], "123456789012", "eu-west-1", "lambda:ListFunctions", client.list_functions)
    assert needed == {"lambda:ListFunctions"}  # called by guarded() itself, through no test frame


def test_recorder_reports_an_undeclared_call() -> None:
    recorder = ApiRecorder()
    recorder.record("lambda", "ListFunctions", None, "lambdaops.collect.awslambda")
    assert recorder.missing_from_policy() == {}
    recorder.record("lambda", "Invoke", {}, "lambdaops.somewhere")
    recorder.add_external(["s3:ListBuckets"])
    assert recorder.missing_from_policy() == {
        "lambda:Invoke": {"lambda:Invoke"},
        "s3:ListBuckets": {"s3:ListBuckets"},
    }


def test_the_read_policy_is_exactly_what_a_full_scan_calls(in_tmp: Path) -> None:
    from lambdaops.demo import demo_account

    with demo_account():
        # A billing alarm notifying a topic, so that scan reads the topic and its subscriptions too.
        topic = boto3.client("sns", region_name="us-east-1").create_topic(Name="billing")["TopicArn"]
        boto3.client("sns", region_name="us-east-1").subscribe(
            TopicArn=topic, Protocol="email", Endpoint="ops@example.com"
        )
        put_billing_alarm("billing-100", 100, AlarmActions=[topic])
        # scan runs every read-only check (list-inactive's, audit-iam's, audit-concurrency's,
        # billing-alarm check's); --all-regions adds ec2:DescribeRegions (tested below).
        with RECORDER.scope() as needed:
            result = invoke(
                "scan",
                "--region",
                "eu-central-1",
                "--region",
                "eu-west-1",
                "-o",
                "json",
                "--with-code",
                "--osv-db",
                str(OSV_EXPORT),  # audit-code's reads too
            )
        assert result.exit_code == 3, result.stderr
        assert json.loads(result.stdout)["errors"] == []
    lower = {a.lower() for a in needed}
    assert lower <= read_policy_actions(), f"scan needs more: {sorted(lower - read_policy_actions())}"
    # ListDistributions: only when us-east-1 (where Lambda@Edge functions live) holds functions.
    # GetLambdaFunctionRecommendations: only `cost` reads Compute Optimizer (no check needs it);
    # the Logs Insights reads: only `cost --from-logs`.
    unused = (
        read_policy_actions()
        - lower
        - {
            "ec2:describeregions",
            "cloudfront:listdistributions",
            "compute-optimizer:getlambdafunctionrecommendations",
            "logs:describeloggroups",
            "logs:startquery",
            "logs:getqueryresults",
        }
    )
    assert not unused, f"the read policy allows what scan never calls: {sorted(unused)}"


def test_all_regions_needs_describe_regions_only() -> None:
    from moto import mock_aws

    from lambdaops.collect.scope import enabled_regions

    with mock_aws(), RECORDER.scope() as needed:
        regions = enabled_regions(boto3.client("ec2", region_name="eu-west-1"))
    assert "eu-west-1" in regions
    assert needed == {"ec2:DescribeRegions"} and "ec2:describeregions" in read_policy_actions()


# --------------------------------------------------------------------------- the command


def test_json_output_is_the_policy_document() -> None:
    result = invoke("iam-policy", "-o", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == permissions.policy_document()
    result = invoke("iam-policy", "--with-remediation", "--multi-account", "--role-name", "R", "-o", "json")
    assert json.loads(result.stdout) == permissions.policy_document(True, True, "R")


def test_table_and_markdown_explain_each_action(tmp_path: Path) -> None:
    table = invoke("iam-policy")
    assert table.exit_code == 0
    assert "lambda:ListFunctions" in table.stdout and "none needed" in table.stdout
    assert "budgets:ModifyBudget" not in table.stdout
    assert "budgets:ModifyBudget" in invoke("iam-policy", "--with-remediation").stdout
    target = tmp_path / "iam.md"
    result = invoke("iam-policy", "-o", "markdown", "--output-file", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    text = target.read_text()
    assert text.startswith("| action | access | why | declared in |")
    assert "`lambdaops.collect.awslambda`" in text


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["iam-policy", "-o", "yaml"], "unknown output format 'yaml'"),
        (["iam-policy", "--role-name", "R"], "--role-name only narrows --multi-account"),
    ],
)
def test_bad_input(args: list[str], needle: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
