"""The audit-iam checks on hand-built inventories: what they report, where, and with which evidence."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

import pytest

from lambdaops.analysis import iam as iam_facts
from lambdaops.checks.registry import CheckInfo, check_modules, module_for
from lambdaops.inventory import (
    FunctionInfo,
    IamDetails,
    InlinePolicy,
    Inventory,
    ManagedPolicy,
    RoleInfo,
    UrlConfig,
)
from lambdaops.model import Finding, Severity
from lambdaops.policy import exposure
from lambdaops.settings import Settings
from tests.support.inventory import function

ACCOUNT = "123456789012"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
BASIC_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
BASIC_DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}
IAM_IDS = {
    "iam-admin-access",
    "iam-service-wildcard",
    "iam-action-wildcard",
    "iam-resource-wildcard",
    "iam-notaction-allow",
    "iam-notresource-allow",
    "iam-passrole-wildcard",
    "iam-policy-unparseable",
    "iam-shared-role",
    "lambda-public-invoke",
    "lambda-public-url",
    "lambda-public-unlimited",
}
EVIDENCE_KEYS = {
    "role_arn",
    "policy_name",
    "policy_arn",
    "policy_kind",
    "statement",
    "actions",
    "resources",
    "functions",
}


def role_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def fn(name: str, role: str, region: str = "eu-west-1", account: str = ACCOUNT) -> FunctionInfo:
    return function(
        name, region=region, account=account, role_arn=role, last_modified=datetime(2026, 1, 1, tzinfo=UTC)
    )


def managed(arn: str, doc: Any, kind: str = "aws-managed") -> ManagedPolicy:
    return ManagedPolicy(arn=arn, name=arn.rsplit("/", 1)[-1], kind=kind, document=doc, attachment_count=1)


def role(
    name: str, attached: tuple[str, ...] = (), inline: dict[str, Any] | None = None, account: str = ACCOUNT
) -> RoleInfo:
    return RoleInfo(
        arn=role_arn(name, account),
        name=name,
        inline_policies=tuple(InlinePolicy(n, d) for n, d in (inline or {}).items()),
        attached_policy_arns=attached,
    )


def inventory(
    functions: list[FunctionInfo], roles: list[RoleInfo], policies: list[ManagedPolicy] = (), **parts: Any
) -> Inventory:
    inv = Inventory(accounts=[ACCOUNT])
    for f in functions:
        inv.functions.setdefault(f.scope, []).append(f)
    inv.iam[ACCOUNT] = IamDetails(roles={r.arn: r for r in roles}, policies={p.arn: p for p in policies})
    for key, value in parts.items():
        setattr(inv, key, value)
    return inv


def check(check_id: str) -> CheckInfo:
    # Import the one module rather than the whole catalogue: other checks are built elsewhere.
    info = importlib.import_module(module_for(check_id)).INFO
    assert isinstance(info, CheckInfo)
    return info


def run(check_id: str, inv: Inventory, settings: Settings | None = None) -> list[Finding]:
    return list(check(check_id).run(inv, settings or Settings()))


def test_catalogue_has_every_audit_iam_check() -> None:
    catalogue = {cid: check(cid) for cid in IAM_IDS}
    for cid, info in catalogue.items():
        assert info.id == cid
        assert module_for(cid) in check_modules()
        assert info.group == "audit-iam"
        assert info.title and info.remediation
    assert catalogue["lambda-public-unlimited"].needs >= {"concurrency", "resource_policies", "function_urls"}
    assert catalogue["iam-admin-access"].needs == {"functions", "iam"}


def test_aws_managed_admin_on_an_execution_role_is_reported() -> None:
    inv = inventory(
        [fn("api", role_arn("app"))], [role("app", (ADMIN_ARN,))], [managed(ADMIN_ARN, ADMIN_DOC)]
    )
    (finding,) = run("iam-admin-access", inv)
    assert finding.severity is Severity.CRITICAL
    assert finding.region == "global"
    assert finding.account_id == ACCOUNT
    assert (finding.resource_arn, finding.resource_name) == (role_arn("app"), "app")
    assert finding.detail == f"{ADMIN_ARN}#0"
    assert set(finding.evidence) >= EVIDENCE_KEYS
    assert finding.evidence["policy_kind"] == "aws-managed"
    assert finding.evidence["policy_arn"] == ADMIN_ARN
    assert finding.evidence["policy_name"] == "AdministratorAccess"
    assert finding.evidence["statement"] == 0
    assert finding.evidence["actions"] == ["*"]
    assert finding.evidence["resources"] == ["*"]
    assert finding.evidence["functions"] == ["arn:aws:lambda:eu-west-1:123456789012:function:api"]
    assert "detach-role-policy" in finding.remediation


def test_inline_policy_evidence_has_null_arn_and_sid() -> None:
    doc = {"Statement": [{"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    inv = inventory([fn("api", role_arn("app"))], [role("app", inline={"s3-access": doc})])
    (finding,) = run("iam-service-wildcard", inv)
    assert finding.evidence["policy_arn"] is None
    assert finding.evidence["policy_kind"] == "inline"
    assert finding.evidence["statement"] == "All"
    assert finding.detail == "inline:s3-access#All"
    assert finding.severity is Severity.HIGH


def test_one_finding_per_statement_with_distinct_fingerprints() -> None:
    doc = {
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
        ]
    }
    inv = inventory([fn("api", role_arn("app"))], [role("app", inline={"p": doc})])
    found = run("iam-service-wildcard", inv)
    assert len(found) == 2
    assert len({f.fingerprint for f in found}) == 2


def test_roles_without_functions_in_scope_are_not_audited() -> None:
    inv = inventory(
        [fn("api", role_arn("app"))],
        [role("app"), role("unused", (ADMIN_ARN,))],
        [managed(ADMIN_ARN, ADMIN_DOC)],
    )
    assert run("iam-admin-access", inv) == []


def test_deny_in_another_policy_of_the_role_lowers_to_info() -> None:
    deny = {"Statement": [{"Sid": "NoAnything", "Effect": "Deny", "Action": "*", "Resource": "*"}]}
    inv = inventory(
        [fn("api", role_arn("app"))],
        [role("app", (ADMIN_ARN,), inline={"guard": deny})],
        [managed(ADMIN_ARN, ADMIN_DOC)],
    )
    (finding,) = run("iam-admin-access", inv)
    assert finding.severity is Severity.INFO
    assert finding.evidence["denied_by"] == ["inline:guard#NoAnything"]
    assert finding.evidence["base_severity"] == "critical"


def test_condition_lowers_and_strict_keeps() -> None:
    doc = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
            }
        ]
    }
    inv = inventory([fn("api", role_arn("app"))], [role("app", inline={"p": doc})])
    (lenient,) = run("iam-admin-access", inv)
    assert lenient.severity is Severity.HIGH
    assert lenient.evidence["condition"] == {"StringEquals": {"aws:requestedregion": ["eu-west-1"]}}
    (strict,) = run("iam-admin-access", inv, Settings(strict=True))
    assert strict.severity is Severity.CRITICAL


def test_shared_role_across_regions_is_raised_to_worst_finding() -> None:
    broad = {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    inv = inventory(
        [fn("a", role_arn("shared"), "eu-west-1"), fn("b", role_arn("shared"), "us-east-1")],
        [role("shared", (BASIC_ARN,), inline={"read": broad})],
        [managed(BASIC_ARN, BASIC_DOC)],
    )
    (finding,) = run("iam-shared-role", inv)
    assert finding.severity > Severity.LOW  # s3:* on "*", not the logging baseline
    assert "read" in finding.evidence["worst_finding"]["detail"]
    assert finding.evidence["functions"] == [
        "arn:aws:lambda:eu-west-1:123456789012:function:a",
        "arn:aws:lambda:us-east-1:123456789012:function:b",
    ]
    assert finding.region == "global"


def test_logging_baseline_is_info_and_does_not_raise_a_shared_role() -> None:
    """AWSLambdaBasicExecutionRole (logs writes on "*") and the console's per-function logging policy
    are AWS's documented minimum for logging: info at most; a role shared only through them stays low."""
    console_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "logs:CreateLogGroup",
                "Resource": "arn:aws:logs:eu-west-1:123456789012:*",
            },
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/a:*"],
            },
        ],
    }
    console_arn = f"arn:aws:iam::{ACCOUNT}:policy/service-role/AWSLambdaBasicExecutionRole-0b1c2d3e"
    inv = inventory(
        [fn("a", role_arn("shared"), "eu-west-1"), fn("b", role_arn("shared"), "us-east-1")],
        [role("shared", (BASIC_ARN, console_arn))],
        [managed(BASIC_ARN, BASIC_DOC), managed(console_arn, console_policy, "customer-managed")],
    )
    wildcard = run("iam-resource-wildcard", inv)
    assert wildcard and all(f.severity is Severity.INFO for f in wildcard)
    assert all("logging baseline" in f.message for f in wildcard)
    (shared,) = run("iam-shared-role", inv)
    assert shared.severity is Severity.LOW
    assert "worst_finding" not in shared.evidence
    # one action beyond the baseline and the statement is judged as before
    wider = {
        "Statement": [
            {"Effect": "Allow", "Action": ["logs:PutLogEvents", "logs:DeleteLogGroup"], "Resource": "*"}
        ]
    }
    inv = inventory([fn("a", role_arn("r"))], [role("r", inline={"w": wider})])
    assert any(f.severity > Severity.INFO for f in run("iam-resource-wildcard", inv))


def test_shared_role_without_other_findings_is_low_and_single_use_is_not_shared() -> None:
    clean = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    inv = inventory(
        [fn("a", role_arn("shared")), fn("b", role_arn("shared")), fn("c", role_arn("own"))],
        [role("shared", inline={"p": clean}), role("own", inline={"p": clean})],
    )
    (finding,) = run("iam-shared-role", inv)
    assert finding.severity is Severity.LOW
    assert finding.resource_name == "shared"


def test_same_role_name_in_two_accounts_is_not_shared() -> None:
    other = "210987654321"
    inv = inventory([fn("a", role_arn("r")), fn("b", role_arn("r", other), account=other)], [role("r")])
    inv.iam[other] = IamDetails(roles={role_arn("r", other): role("r", account=other)}, policies={})
    assert run("iam-shared-role", inv) == []


def test_unparseable_and_missing_policies_are_findings() -> None:
    missing = "arn:aws:iam::123456789012:policy/gone"
    inv = inventory(
        [fn("api", role_arn("app"))], [role("app", (missing,), inline={"broken": '{"Statement": ['})]
    )
    found = run("iam-policy-unparseable", inv)
    assert {f.evidence["policy_name"] for f in found} == {"broken", "gone"}
    assert all(f.severity is Severity.HIGH for f in found)
    assert {f.evidence["policy_kind"] for f in found} == {"inline", "customer-managed"}


def test_managed_policy_analysed_once_for_many_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = iam_facts.analyze_policy

    def counting(doc: Any) -> Any:
        calls.append(doc)
        return real(doc)

    monkeypatch.setattr(iam_facts, "analyze_policy", counting)
    n = 1000
    functions = [fn(f"f{i}", role_arn(f"r{i}")) for i in range(n)]
    roles = [role(f"r{i}", (BASIC_ARN,)) for i in range(n)]
    inv = inventory(functions, roles, [managed(BASIC_ARN, BASIC_DOC)])
    settings = Settings()
    assert len(run("iam-resource-wildcard", inv, settings)) == n
    assert len(calls) == 1
    for cid in ("iam-admin-access", "iam-shared-role", "iam-service-wildcard"):
        run(cid, inv, settings)
    assert len(calls) == 1  # the audit is memoised for the inventory: the other checks reuse it


def test_memo_notices_a_changed_inventory() -> None:
    inv = inventory(
        [fn("api", role_arn("app"))], [role("app", (ADMIN_ARN,))], [managed(ADMIN_ARN, ADMIN_DOC)]
    )
    assert len(run("iam-admin-access", inv)) == 1
    inv.functions[(ACCOUNT, "us-east-1")] = [fn("other", role_arn("app"), "us-east-1")]
    (finding,) = run("iam-admin-access", inv)
    assert len(finding.evidence["functions"]) == 2


# --- public functions ----------------------------------------------------------------------------

F = fn("hook", role_arn("app"))
PUBLIC_POLICY = {
    "Version": "2012-10-17",
    "Id": "default",
    "Statement": [
        {
            "Sid": "anyone",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "lambda:InvokeFunction",
            "Resource": F.arn,
        }
    ],
}
URL_NONE = UrlConfig(url="https://abc.lambda-url.eu-west-1.on.aws/", auth_type="NONE")


def public_inv(**parts: Any) -> Inventory:
    return inventory([F], [role("app")], **parts)


def test_public_invoke() -> None:
    (finding,) = run("lambda-public-invoke", public_inv(resource_policies={F.arn: PUBLIC_POLICY}))
    assert finding.severity is Severity.CRITICAL
    assert (finding.resource_arn, finding.region) == (F.arn, "eu-west-1")
    assert finding.evidence["statement"] == "anyone"
    assert finding.evidence["principal"] == {"AWS": ["*"]}
    assert finding.evidence["grants"] == ["lambda:InvokeFunction"]
    assert "remove-permission" in finding.remediation
    assert "--statement-id anyone" in finding.remediation


def test_pinned_invoke_is_not_public() -> None:
    policy = {
        "Statement": [
            {
                **PUBLIC_POLICY["Statement"][0],
                "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}},
            }
        ]
    }
    assert run("lambda-public-invoke", public_inv(resource_policies={F.arn: policy})) == []
    assert exposure.public_functions(public_inv(resource_policies={F.arn: policy})) == {}


def test_public_url() -> None:
    inv = public_inv(function_urls={F.arn: [URL_NONE, UrlConfig("https://x/", "AWS_IAM", "live")]})
    (finding,) = run("lambda-public-url", inv)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["url"] == URL_NONE.url
    assert exposure.public_functions(inv) == {F.arn: "function-url"}


def test_public_functions_prefers_resource_policy() -> None:
    inv = public_inv(resource_policies={F.arn: PUBLIC_POLICY}, function_urls={F.arn: [URL_NONE]})
    assert exposure.public_functions(inv) == {F.arn: "resource-policy"}


@pytest.mark.parametrize(
    ("reserved", "expected"),
    [
        ({F.arn: None}, 1),  # no limit
        ({F.arn: 0}, 0),  # 0 is a limit (the function is switched off)
        ({F.arn: 10}, 0),
        ({}, 0),  # concurrency not read: unknown, never "unlimited"
    ],
)
def test_public_unlimited(reserved: dict[str, int | None], expected: int) -> None:
    inv = public_inv(resource_policies={F.arn: PUBLIC_POLICY}, reserved=reserved)
    found = run("lambda-public-unlimited", inv)
    assert len(found) == expected
    if found:
        assert found[0].severity is Severity.CRITICAL
        assert found[0].evidence["public_via"] == "resource-policy"


def test_private_function_with_no_limit_is_not_public_unlimited() -> None:
    inv = public_inv(resource_policies={F.arn: None}, function_urls={F.arn: []}, reserved={F.arn: None})
    assert run("lambda-public-unlimited", inv) == []


def test_malformed_resource_policy_is_unparseable_not_private() -> None:
    inv = public_inv(resource_policies={F.arn: "not json"})
    found = run("iam-policy-unparseable", inv)
    assert [(f.resource_arn, f.evidence["policy_kind"]) for f in found] == [(F.arn, "resource-policy")]


def test_deny_to_everyone_cancels_public_invoke() -> None:
    policy = {
        "Statement": [
            *PUBLIC_POLICY["Statement"],
            {"Sid": "block", "Effect": "Deny", "Principal": "*", "Action": "lambda:*", "Resource": "*"},
        ]
    }
    inv = public_inv(resource_policies={F.arn: policy}, reserved={F.arn: None})
    (finding,) = run("lambda-public-invoke", inv)
    assert finding.severity is Severity.INFO
    assert finding.evidence["denied_by"] == ["block"]
    assert run("lambda-public-unlimited", inv) == []
