"""Hand-built reports shared by the renderer tests: every severity and status, an error, and names
carrying the characters that break naive renderers (pipes, commas, formulas, markup, unicode)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lambdaops.checks.registry import CheckInfo, all_checks
from lambdaops.model import (
    Change,
    ChangeStatus,
    ErrorRecord,
    Finding,
    FindingStatus,
    Report,
    Severity,
    scope_arn,
)

A = "123456789012"
B = "210987654321"
GENERATED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def fn_arn(name: str, region: str = "eu-west-1", account: str = A) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def finding(
    check_id: str,
    severity: Severity,
    name: str,
    *,
    account: str = A,
    region: str = "eu-west-1",
    arn: str | None = None,
    message: str | None = None,
    status: FindingStatus = FindingStatus.FAIL,
    reason: str | None = None,
    detail: str = "",
    evidence: dict[str, object] | None = None,
) -> Finding:
    return Finding(
        check_id=check_id,
        severity=severity,
        account_id=account,
        region=region,
        resource_arn=arn or fn_arn(name, region, account),
        resource_name=name,
        message=message or f"{name} fails {check_id}",
        remediation=f"Fix {check_id} on {name}.",
        evidence=evidence or {"name": name},
        detail=detail,
        status=status,
        status_reason=reason,
    )


ROLE = f"arn:aws:iam::{A}:role/shared-role"

FINDINGS = [
    finding(
        "iam-service-wildcard",
        Severity.CRITICAL,
        "shared-role",
        region="global",
        arn=ROLE,
        detail="inline:app#0",
        message="Role shared-role allows s3:* on *",
        evidence={"actions": ["s3:*"], "resources": ["*"], "statement": 0},
    ),
    finding(
        "iam-service-wildcard",
        Severity.CRITICAL,
        "shared-role",
        region="global",
        arn=ROLE,
        detail="inline:app#1",
        message="Role shared-role allows dynamodb:* on *",
        evidence={"actions": ["dynamodb:*"], "resources": ["*"], "statement": 1},
    ),
    finding(
        "lambda-deprecated-runtime",
        Severity.HIGH,
        "legacy-py",
        message="legacy-py runs on python2.7, deprecated since 2021-07-15",
        evidence={"runtime": "python2.7", "deprecation_date": date(2021, 7, 15)},
    ),
    finding(
        "lambda-deprecated-runtime",
        Severity.HIGH,
        '=HYPERLINK("http://evil.example","x")',
        message="+formula message, with comma",
    ),
    finding(
        "lambda-runtime-deprecating-soon",
        Severity.MEDIUM,
        "café|naïve,func",
        account=B,
        message="pipe | in message\nsecond line <script>alert(1)</script> [click](http://evil.example)",
    ),
    finding(
        "billing-no-alarm",
        Severity.LOW,
        A,
        region="us-east-1",
        arn=scope_arn("cloudwatch", "us-east-1", A),
        message="No billing alarm in account 123456789012",
    ),
    finding(
        "lambda-inactive",
        Severity.INFO,
        "@cron-fn",
        message="@cron-fn not invoked for 30 days",
        status=FindingStatus.MUTED,
        reason="owned by team | data, until Q3",
    ),
    finding(
        "lambda-public-url",
        Severity.HIGH,
        "[bold red]public-fn[/bold red]",
        account=B,
        region="us-east-1",
        status=FindingStatus.BASELINED,
        reason="baselined",
    ),
    finding(
        "lambda-runtime-deprecating-soon",
        Severity.MEDIUM,
        "ctrl\x01char",
        message="control \x01 char and a tab\there",
    ),
]

ERRORS = [
    ErrorRecord(
        A, "eu-central-1", "lambda:ListFunctions", "AccessDeniedException", 'not authorized: "x" & <y>'
    ),
    ErrorRecord(B, "ap-east-1", "lambda:ListFunctions", "UnrecognizedClientException", "region disabled"),
    # the same gap reported twice (two checks needed the same call): shown once
    ErrorRecord(
        A, "eu-central-1", "lambda:ListFunctions", "AccessDeniedException", 'not authorized: "x" & <y>'
    ),
]


def scan_report(findings: list[Finding] | None = None, errors: list[ErrorRecord] | None = None) -> Report:
    return Report(
        command="scan",
        generated_at=GENERATED,
        accounts=[B, A],
        regions=["us-east-1", "eu-west-1", "global"],
        findings=list(FINDINGS if findings is None else findings),
        errors=list(ERRORS if errors is None else errors),
        catalogue=all_checks(),
    )


FUNCTION_ROWS = [
    {
        "account_id": A,
        "region": "eu-west-1",
        "name": "zeta|pipe",
        "arn": fn_arn("zeta|pipe"),
        "runtime": "python3.12",
        "memory_mb": 128,
        "code_size_bytes": 2048,
        "last_modified": "2026-01-01T00:00:00Z",
        "last_invocation": None,
        "days_since_invocation": None,
        "status": "inactive",
    },
    {
        "account_id": A,
        "region": "eu-west-1",
        "name": "=cmd|' /C calc'!A0",
        "arn": fn_arn("=cmd"),
        "runtime": None,
        "memory_mb": 512,
        "code_size_bytes": 0,
        "last_modified": "2026-11-01T10:00:00Z",
        "last_invocation": "2026-11-26T09:00:00Z",
        "days_since_invocation": 1,
        "status": "active",
    },
    {
        "account_id": A,
        "region": "eu-central-1",
        "name": "Grüße,comma",
        "arn": fn_arn("Grüße,comma", "eu-central-1"),
        "runtime": "nodejs22.x",
        "memory_mb": 256,
        "code_size_bytes": 4096,
        "last_modified": "2026-11-20T10:00:00Z",
        "last_invocation": None,
        "days_since_invocation": None,
        "status": "new",
    },
]


def inactive_report(rows: list[dict[str, object]] | None = None) -> Report:
    return Report(
        command="list-inactive",
        generated_at=GENERATED,
        accounts=[A],
        regions=["eu-west-1", "eu-central-1"],
        functions=list(FUNCTION_ROWS if rows is None else rows),
        findings=[],
        errors=[ERRORS[0]],
    )


CHANGES = [
    Change(
        "put-function-concurrency", fn_arn("busy"), {"ReservedConcurrentExecutions": 50}, ChangeStatus.PLANNED
    ),
    Change(
        "delete-function-concurrency",
        fn_arn("-minus"),
        {},
        ChangeStatus.REFUSED,
        "would leave 40 unreserved, below the floor of 100",
    ),
]


def plan_report() -> Report:
    return Report(
        command="audit-concurrency",
        generated_at=GENERATED,
        accounts=[A],
        regions=["eu-west-1"],
        changes=list(CHANGES),
    )


def _noop(*_: object) -> list[Finding]:
    return []


def catalogue() -> dict[str, CheckInfo]:
    """A catalogue covering the sample check ids except `lambda-public-url` (an orphan on purpose)."""
    infos = [
        CheckInfo(
            "iam-service-wildcard",
            Severity.CRITICAL,
            "Service-wide wildcard",
            "Scope it.",
            frozenset({"iam"}),
            _noop,
            "audit-iam",
        ),
        CheckInfo(
            "lambda-deprecated-runtime",
            Severity.HIGH,
            "Deprecated runtime",
            "Upgrade.",
            frozenset({"functions"}),
            _noop,
            "scan",
        ),
        CheckInfo(
            "lambda-runtime-deprecating-soon",
            Severity.MEDIUM,
            "Runtime soon deprecated",
            "Plan.",
            frozenset({"functions"}),
            _noop,
            "scan",
        ),
        CheckInfo(
            "billing-no-alarm",
            Severity.LOW,
            "No billing alarm",
            "Set one.",
            frozenset({"billing"}),
            _noop,
            "billing",
        ),
        CheckInfo(
            "lambda-inactive",
            Severity.INFO,
            "Inactive function",
            "Prune it.",
            frozenset({"invocations"}),
            _noop,
            "list-inactive",
        ),
        CheckInfo(
            "concurrency-unreserved-low",
            Severity.HIGH,
            "Low headroom",
            "Free some.",
            frozenset({"account_settings"}),
            _noop,
            "audit-concurrency",
        ),
    ]
    return {i.id: i for i in infos}
