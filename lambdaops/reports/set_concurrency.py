"""set-concurrency as a library call: read one function and its pool, plan, and (unless dry run) apply."""

from __future__ import annotations

from typing import Any

from lambdaops.actions.concurrency import Target, apply_changes, plan_reservation
from lambdaops.collect.context import Account
from lambdaops.collect.guard import aws_errors, error_code, error_record
from lambdaops.collect.run_scope import RunScope
from lambdaops.concurrency_floor import write_floor
from lambdaops.errors import UsageError
from lambdaops.inventory import AccountSettings
from lambdaops.model import ChangeStatus, ErrorRecord, Report
from lambdaops.views import Phase, WriteView

COMMAND = "set-concurrency"


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def parse_function(text: str) -> tuple[str, str | None, str | None]:
    """(name, region, account) from a function name or a function ARN (a qualified ARN is refused:
    a reservation belongs to the function, not to a version or alias)."""
    text = text.strip()
    if not text.startswith("arn:"):
        if ":" in text or not text:
            raise UsageError(f"{text!r} is not a function name; pass the name or the function's ARN")
        return text, None, None
    parts = text.split(":")
    if len(parts) < 7 or parts[2] != "lambda" or parts[5] != "function":
        raise UsageError(
            f"{text!r} is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)"
        )
    if len(parts) > 7:
        raise UsageError(
            f"{text!r} names a version or alias; reserved concurrency belongs to the whole function: "
            "drop the qualifier"
        )
    return parts[6], parts[3], parts[4]


def _read_target(
    client: Any, account_id: str, region: str, name: str, errors: list[ErrorRecord], warnings: list[str]
) -> tuple[Target, AccountSettings | None]:
    from lambdaops.collect.awslambda import get_account_settings
    from lambdaops.collect.concurrency import provisioned_configs, reserved_concurrency

    arn = f"arn:{partition_of(region)}:lambda:{region}:{account_id}:function:{name}"
    try:
        current = reserved_concurrency(client, name)
    except aws_errors() as exc:
        if error_code(exc) == "ResourceNotFoundException":
            raise UsageError(
                f"function {name!r} not found in account {account_id}, region {region}; "
                "check the name and --region"
            ) from None
        raise
    pool: AccountSettings | None = None
    try:
        pool = get_account_settings(client)
    except aws_errors() as exc:
        errors.append(error_record(exc, account_id, region, "lambda:GetAccountSettings"))
    provisioned: int | None = None
    try:
        provisioned = sum(c.requested for c in provisioned_configs(client, name))
    except aws_errors() as exc:
        rec = error_record(exc, account_id, region, "lambda:ListProvisionedConcurrencyConfigs")
        warnings.append(
            f"provisioned concurrency of {name} not read ({rec.code}); AWS itself refuses a reservation "
            "below it"
        )
    return Target(account_id, region, name, arn, current, provisioned), pool


def set_concurrency_report(
    scope: RunScope,
    account: Account,
    region: str,
    name: str,
    reserved: int | None,
    dry_run: bool,
) -> Report:
    """Set (`reserved` = N) or remove (`reserved` = None) the reservation of one function."""
    ctx, settings, now = scope.ctx, scope.settings, scope.now
    client = ctx.client(account, "lambda", region)
    errors: list[ErrorRecord] = []
    warnings: list[str] = []
    try:
        target, pool = _read_target(client, account.account_id, region, name, errors, warnings)
    except aws_errors() as exc:
        # Without the current reservation there is no plan: report the gap, change nothing.
        rec = error_record(exc, account.account_id, region, "lambda:GetFunctionConcurrency")
        report = Report(COMMAND, now, [account.account_id], [region], errors=[rec], changes=[])
        report.warnings.append(f"the reservation of {name} could not be read; nothing was changed")
        return report
    change = plan_reservation(target, reserved, pool, settings.concurrency_floor)
    report = Report(
        command=COMMAND,
        generated_at=now,
        accounts=[account.account_id],
        regions=[region],
        errors=errors,
        changes=[change],
        warnings=warnings,
    )
    if pool is not None:
        report.sections["pools"] = [
            {
                "account_id": account.account_id,
                "region": region,
                "concurrency_limit": pool.concurrency_limit,
                "unreserved": pool.unreserved,
                "total_reserved": pool.total_reserved,
                "floor": write_floor(settings.concurrency_floor, pool.concurrency_limit),
            }
        ]
    report.view = WriteView(phase=Phase.DRY_RUN if dry_run else Phase.PLAN)
    if dry_run or change.status is not ChangeStatus.PLANNED:
        return report
    report.view = WriteView(phase=Phase.APPLIED)
    report.changes, apply_errors = apply_changes([change], lambda _a, _r: client)
    report.errors.extend(apply_errors)
    return report
