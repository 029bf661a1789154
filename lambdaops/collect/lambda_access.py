"""Who may invoke a function: its resource-based policy and its function URLs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from lambdaops.inventory import UrlConfig

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

OPERATIONS = ("lambda:GetPolicy", "lambda:ListFunctionUrlConfigs", "lambda:ListAliases")
NOT_FOUND = "ResourceNotFoundException"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def get_resource_policy(
    client: LambdaClient, function_name: str, qualifier: str | None = None
) -> dict[str, Any] | str | None:
    """The function's resource-based policy (or an alias's or version's, with `qualifier`), parsed;
    None when it has none. On AWS each alias and published version has a policy of its own.

    AWS answers ResourceNotFoundException both for "no policy" and for a function deleted since it
    was listed; either way there is nothing that grants access. Any other error is raised for the
    caller to record. Text that is not a JSON object is returned as is, so the checks report it as
    unparseable instead of reading it as "no policy".
    """
    try:
        response = (
            client.get_policy(FunctionName=function_name, Qualifier=qualifier)
            if qualifier
            else client.get_policy(FunctionName=function_name)
        )
    except ClientError as exc:
        if _code(exc) == NOT_FOUND:
            return None
        raise
    text = response.get("Policy")
    if not text:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return text
    return doc if isinstance(doc, dict) else text


def _qualifier(function_arn: str) -> str | None:
    # arn:aws:lambda:region:account:function:name[:qualifier]
    parts = function_arn.split(":")
    return parts[7] if len(parts) > 7 and parts[7] else None


def list_url_configs(client: LambdaClient, function_name: str) -> list[UrlConfig]:
    """Every function URL of the function (one per alias or $LATEST); [] when it has none."""
    out: list[UrlConfig] = []
    try:
        for page in client.get_paginator("list_function_url_configs").paginate(FunctionName=function_name):
            for cfg in page.get("FunctionUrlConfigs", []):
                out.append(
                    UrlConfig(
                        url=cfg["FunctionUrl"],
                        auth_type=cfg["AuthType"],
                        qualifier=_qualifier(cfg.get("FunctionArn", "")),
                    )
                )
    except ClientError as exc:
        if _code(exc) == NOT_FOUND:
            return []
        raise
    return out
