"""Who may invoke a function: its resource-based policy and its function URLs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from lambdaops.inventory import UrlConfig

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_lambda import LambdaClient

OPERATIONS = (
    "lambda:GetPolicy",
    "lambda:ListFunctionUrlConfigs",
    "lambda:ListAliases",
    "cloudwatch:ListMetrics",
)
# "Monitoring Lambda function URLs" (AWS Lambda Developer Guide, urls-monitoring, read 2026-12-06): Lambda
# publishes UrlRequestCount (AWS/Lambda, dimension FunctionName among others) for every request to a
# function URL; ListMetrics returns the metrics that received data in the past two weeks.
URL_REQUEST_METRIC = "UrlRequestCount"
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
                cors = cfg.get("Cors") or {}
                out.append(
                    UrlConfig(
                        url=cfg["FunctionUrl"],
                        auth_type=cfg["AuthType"],
                        qualifier=_qualifier(cfg.get("FunctionArn", "")),
                        cors_allow_origins=tuple(str(o) for o in cors.get("AllowOrigins") or ()),
                        cors_allow_credentials=bool(cors.get("AllowCredentials")),
                    )
                )
    except ClientError as exc:
        if _code(exc) == NOT_FOUND:
            return []
        raise
    return out


def functions_with_url_requests(client: CloudWatchClient) -> set[str]:
    """Names of the region's functions whose function URL was called in the past two weeks (one paginated
    ListMetrics, 500 metrics a page). A URL that callers hit is worth a ListFunctionUrlConfigs call even
    when no policy could make it public: it answers them 403 (lambda-url-unreachable)."""
    names: set[str] = set()
    paginator = client.get_paginator("list_metrics")
    for page in paginator.paginate(Namespace="AWS/Lambda", MetricName=URL_REQUEST_METRIC):
        for metric in page.get("Metrics", []):
            for dim in metric.get("Dimensions", []):
                if dim.get("Name") == "FunctionName" and dim.get("Value"):
                    names.add(str(dim["Value"]))
    return names
