"""Demo plantings for runtimes and version callers (issue 13 items 5 and 7).

- `payroll-export` runs on `java17.al2023` (added by AWS in 2026): known, supported, no finding.
- `geo-enricher` runs on `python3.16`, a runtime newer than lambdaops' table: `lambda-runtime-unknown`.
  moto accepts any runtime string, as AWS accepts any runtime it offers, so no shim is needed; the
  point is a runtime the table does not list yet.
- `shipping-rates-api`: version 1 was published on `python3.8` (deprecated) and the `live` alias
  still points at it, while `$LATEST` moved to `python3.13`: `lambda-deprecated-runtime` on version 1.
- `invoice-pdf-renderer`: seven published versions; version 2 is called only by an S3 trigger
  (`AddPermission` with `Qualifier=2`, pinned with SourceArn and SourceAccount), so
  `prune-versions --keep 5` keeps it and plans version 1 only. The demo's moto keeps one resource
  policy per qualifier, as AWS does (lambdaops.demo.qualified_policy_shim).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

REGION = "eu-central-1"  # not eu-west-1: the fault-injection e2e test times ListFunctions there
JAVA_AL2023_FUNCTION = "payroll-export"
UNKNOWN_RUNTIME_FUNCTION = "geo-enricher"
UNKNOWN_RUNTIME = "python3.16"
ALIASED_OLD_RUNTIME_FUNCTION = "shipping-rates-api"
ALIASED_OLD_RUNTIME = "python3.8"
S3_TRIGGER_FUNCTION = "invoice-pdf-renderer"
S3_TRIGGER_VERSIONS = 7
S3_TRIGGER_VERSION = "2"
S3_TRIGGER_BUCKET = "demo-invoices-incoming"

_FUNCTIONS = {  # name -> (runtime at creation, role)
    JAVA_AL2023_FUNCTION: ("java17.al2023", "payroll-export-role"),
    UNKNOWN_RUNTIME_FUNCTION: (UNKNOWN_RUNTIME, "geo-enricher-role"),
    ALIASED_OLD_RUNTIME_FUNCTION: (ALIASED_OLD_RUNTIME, "shipping-rates-role"),
    S3_TRIGGER_FUNCTION: ("python3.13", "invoice-pdf-role"),
}
FUNCTION_NAMES = tuple(_FUNCTIONS)  # all in REGION; tests that count the demo's functions add these
_TAGS = {"ManagedBy": "terraform", "team": "finance"}


def seed_runtimes(session: Any, now: datetime, account_id: str, zip_for: Any) -> None:
    """Create the functions above (busy, so none is inactive) with their versions and triggers."""
    from lambdaops.demo.seed import ASSUME_LAMBDA, LOGS_ONLY

    iam = session.client("iam", region_name="us-east-1")
    client = session.client("lambda", region_name=REGION)
    metrics: list[dict[str, Any]] = []
    for name, (runtime, role) in _FUNCTIONS.items():
        arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(ASSUME_LAMBDA))["Role"][
            "Arn"
        ]
        iam.put_role_policy(RoleName=role, PolicyName="logs", PolicyDocument=json.dumps(LOGS_ONLY))
        client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=arn,
            Handler="handler.handler",
            Code={"ZipFile": zip_for(name)},
            Tags=_TAGS,
        )
        metrics.extend(
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "FunctionName", "Value": name}],
                "Timestamp": now - timedelta(days=days_ago),
                "Value": 300.0,
                "Unit": "Count",
            }
            for days_ago in range(1, 15)
        )
    session.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/Lambda", MetricData=metrics
    )

    # Version 1 on the old runtime behind `live`; then $LATEST moves on (the version keeps python3.8).
    client.publish_version(FunctionName=ALIASED_OLD_RUNTIME_FUNCTION, Description="release 1")
    client.create_alias(FunctionName=ALIASED_OLD_RUNTIME_FUNCTION, Name="live", FunctionVersion="1")
    client.update_function_configuration(FunctionName=ALIASED_OLD_RUNTIME_FUNCTION, Runtime="python3.13")

    for i in range(1, S3_TRIGGER_VERSIONS + 1):
        client.update_function_configuration(FunctionName=S3_TRIGGER_FUNCTION, Description=f"release {i}")
        client.publish_version(FunctionName=S3_TRIGGER_FUNCTION, Description=f"release {i}")
    client.add_permission(
        FunctionName=S3_TRIGGER_FUNCTION,
        Qualifier=S3_TRIGGER_VERSION,
        StatementId="s3-invoices-incoming",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{S3_TRIGGER_BUCKET}",
        SourceAccount=account_id,
    )
