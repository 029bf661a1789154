"""Lambda reads: functions (paginated), account settings, per-function concurrency."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lambdaops.collect.guard import error_record
from lambdaops.env_secrets import scan_environment
from lambdaops.inventory import AccountSettings, AliasInfo, FunctionInfo, VersionInfo
from lambdaops.model import ErrorRecord

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

# Read operations this module performs (the generated IAM policy is built from these declarations).
OPERATIONS = (
    "lambda:ListFunctions",
    "lambda:GetAccountSettings",
    "lambda:ListProvisionedConcurrencyConfigs",
    "lambda:ListAliases",
)

LIST_PAGE_SIZE = 50  # ListFunctions' maximum


def parse_lambda_time(text: str) -> datetime:
    """Lambda writes `2026-11-27T12:00:00.000+0000` (moto: `...000Z`); both parse on 3.11+."""
    ts = datetime.fromisoformat(text)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC)


def function_from_api(item: Mapping[str, Any], account_id: str, region: str) -> FunctionInfo:
    env = item.get("Environment") or {}
    # Only the names of environment variables are kept: their values can be secrets.
    env_names = tuple(sorted((env.get("Variables") or {}).keys()))
    logging_config = item.get("LoggingConfig") or {}
    vpc = item.get("VpcConfig") or {}
    return FunctionInfo(
        account_id=account_id,
        region=region,
        name=str(item["FunctionName"]),
        # $LATEST comes back qualified (`...:function:name:$LATEST`) with FunctionVersion=ALL
        arn=unqualified(str(item["FunctionArn"])),
        runtime=item.get("Runtime"),
        memory_mb=int(item.get("MemorySize") or 0),
        code_size_bytes=int(item.get("CodeSize") or 0),
        last_modified=parse_lambda_time(str(item["LastModified"])),
        role_arn=str(item.get("Role") or ""),
        package_type=str(item.get("PackageType") or "Zip"),
        env_var_names=env_names,
        log_group=logging_config.get("LogGroup") or f"/aws/lambda/{item['FunctionName']}",
        description=str(item.get("Description") or ""),
        revision_id=str(item["RevisionId"]) if item.get("RevisionId") else None,
        architecture=str((item.get("Architectures") or ["x86_64"])[0]),
        ephemeral_storage_mb=int((item.get("EphemeralStorage") or {}).get("Size") or 512),
        # The values are scanned here, as they are read, and dropped: only the names of the variables
        # that look like secrets, and the detector, are kept (lambdaops/env_secrets.py).
        env_secrets=scan_environment(env.get("Variables")),
        timeout_s=int(item["Timeout"]) if item.get("Timeout") else None,
        tracing_mode=str((item.get("TracingConfig") or {}).get("Mode") or "PassThrough"),
        kms_key_arn=str(item.get("KMSKeyArn") or ""),
        dead_letter_arn=str((item.get("DeadLetterConfig") or {}).get("TargetArn") or ""),
        subnet_ids=tuple(sorted(str(s) for s in vpc.get("SubnetIds") or ())),
    )


def unqualified(arn: str) -> str:
    """arn:aws:lambda:r:a:function:name[:qualifier] -> arn:aws:lambda:r:a:function:name"""
    parts = arn.split(":")
    return ":".join(parts[:7])


def list_functions(
    client: LambdaClient, account_id: str, region: str, all_versions: bool = False
) -> tuple[list[FunctionInfo], dict[str, list[VersionInfo]], ErrorRecord | None]:
    """Every function of a region, 50 a page; with all_versions, its published versions too.

    `FunctionVersion=ALL` lists $LATEST and every published version in the same paginated pass, so
    the versions cost no call per function. Pages are followed by hand rather than through a
    paginator so that a page that fails after botocore's retries keeps every page already read and
    reports the gap, instead of losing the region's results.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    functions: list[FunctionInfo] = []
    versions: dict[str, list[VersionInfo]] = {}
    marker: str | None = None
    while True:
        kwargs: dict[str, Any] = {"MaxItems": LIST_PAGE_SIZE}
        if all_versions:
            kwargs["FunctionVersion"] = "ALL"
        if marker:
            kwargs["Marker"] = marker
        try:
            page = client.list_functions(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            return functions, versions, error_record(exc, account_id, region, "lambda:ListFunctions")
        for item in page.get("Functions", []):
            version = str(item.get("Version") or "$LATEST")
            if version == "$LATEST":
                functions.append(function_from_api(item, account_id, region))
            else:
                versions.setdefault(unqualified(str(item["FunctionArn"])), []).append(
                    VersionInfo(
                        version=version,
                        code_size_bytes=int(item.get("CodeSize") or 0),
                        last_modified=parse_lambda_time(str(item["LastModified"])),
                        runtime=item.get("Runtime"),
                        env_secrets=scan_environment((item.get("Environment") or {}).get("Variables")),
                    )
                )
        marker = page.get("NextMarker")
        if not marker:
            return functions, versions, None


def list_aliases(client: LambdaClient, function_name: str) -> list[AliasInfo]:
    out: list[AliasInfo] = []
    for page in client.get_paginator("list_aliases").paginate(FunctionName=function_name):
        for alias in page.get("Aliases", []):
            weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            out.append(
                AliasInfo(
                    name=str(alias["Name"]),
                    function_version=str(alias["FunctionVersion"]),
                    additional_versions=tuple(sorted(str(v) for v in weights)),
                )
            )
    return out


def get_account_settings(client: LambdaClient) -> AccountSettings:
    """The region's concurrency pool and code storage (one GetAccountSettings call)."""
    return get_account_settings_from(client.get_account_settings())


def get_account_settings_from(resp: Mapping[str, Any]) -> AccountSettings:
    limit = resp.get("AccountLimit", {})
    usage = resp.get("AccountUsage", {})
    return AccountSettings(
        concurrency_limit=int(limit.get("ConcurrentExecutions", 0)),
        unreserved=int(limit.get("UnreservedConcurrentExecutions", 0)),
        code_size_limit=int(limit.get("TotalCodeSize", 0)),
        code_size_used=int(usage.get("TotalCodeSize", 0)),
        function_count=int(usage.get("FunctionCount", 0)),
    )


def get_reserved_concurrency(client: LambdaClient, function_name: str) -> int | None:
    """The function's reservation; None when it has none (0 is a limit: the function is switched off)."""
    resp = client.get_function_concurrency(FunctionName=function_name)
    value = resp.get("ReservedConcurrentExecutions")
    return None if value is None else int(value)
