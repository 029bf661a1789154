"""Lambda ListFunctionEventInvokeConfigs: a function's asynchronous invocation settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from lambdaops.inventory import InvokeConfig

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

OPERATIONS = ("lambda:ListFunctionEventInvokeConfigs",)


def _qualifier(function_arn: str) -> str | None:
    parts = function_arn.split(":")
    return parts[7] if len(parts) > 7 and parts[7] and parts[7] != "$LATEST" else None


def list_invoke_configs(client: LambdaClient, function_name: str) -> list[InvokeConfig]:
    """Every event invoke config of the function, its versions and aliases; [] when it has none (or
    was deleted since it was listed). Other errors are raised for the caller to record."""
    out: list[InvokeConfig] = []
    try:
        paginator = client.get_paginator("list_function_event_invoke_configs")
        for page in paginator.paginate(FunctionName=function_name):
            for cfg in page.get("FunctionEventInvokeConfigs", []):
                on_failure = ((cfg.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
                out.append(
                    InvokeConfig(
                        qualifier=_qualifier(str(cfg.get("FunctionArn") or "")),
                        on_failure_arn=str(on_failure) if on_failure else None,
                    )
                )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return []
        raise
    return out
