"""Demo cases for the security watchdog checks (issue 17), all in eu-west-1.

- `thumbnails-on-upload`: an S3 bucket triggers it (asynchronous), no dead-letter queue, no on-failure
  destination: lambda-async-no-failure-destination. `invoices-on-upload` has the same trigger and an
  on-failure destination (an SQS queue): not reported.
- `orders-flaky-webhook`: 48 of 400 invocations failed in the last days (12%): lambda-error-rate-high.
- `report-export-slow`: its longest run took 59.8 s of its 60 s timeout: lambda-timeouts.
- `vpc-ledger-sync`: in a VPC with one subnet (one Availability Zone): lambda-vpc-single-az.
  `vpc-ledger-api` has subnets in two zones: not reported.
- `partner-portal-api`: a function URL (AuthType AWS_IAM, called: UrlRequestCount datapoints) whose
  CORS allows credentials from every origin: lambda-url-cors-wildcard.
- `config-refs-only`: environment variables that refer to secrets (`{{resolve:ssm:...}}`, a Secrets
  Manager ARN, an `ssm:` name) and no secret: lambda-secret-in-environment stays silent. The secrets the
  check finds are the ones seed.py already plants (PLANTED_SECRETS).
- `vpc-ledger-api` also has X-Ray active tracing and a customer managed key: the one function the
  off-by-default checks (lambda-tracing-disabled, lambda-env-no-cmk) never report.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from typing import Any

REGION = "eu-west-1"
ROLE = "payments-role"
ASYNC_MISSING = "thumbnails-on-upload"
ASYNC_COVERED = "invoices-on-upload"
FLAKY = "orders-flaky-webhook"
SLOW = "report-export-slow"
VPC_SINGLE = "vpc-ledger-sync"
VPC_MULTI = "vpc-ledger-api"
CORS_WILDCARD = "partner-portal-api"
REFS_ONLY = "config-refs-only"
FUNCTION_NAMES = (ASYNC_MISSING, ASYNC_COVERED, FLAKY, SLOW, VPC_SINGLE, VPC_MULTI, CORS_WILDCARD, REFS_ONLY)
FLAKY_INVOCATIONS = 400.0
FLAKY_ERRORS = 48.0
SLOW_TIMEOUT_S = 60
SLOW_MAX_MS = 59_800.0
DEMO_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
REFERENCES = {
    "DB_PASSWORD": "{{resolve:ssm-secure:/ledger/db/password:3}}",
    "API_SECRET": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ledger/api-AbCdEf",
    "STRIPE_KEY": "ssm:/ledger/stripe/key",
}


def _zip(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", f"def handler(event, context):\n    return {{'fn': {name!r}}}\n")
    return buf.getvalue()


def seed_watchdog(session: Any, account_id: str, now: datetime) -> None:
    lam = session.client("lambda", region_name=REGION)
    role = f"arn:aws:iam::{account_id}:role/{ROLE}"
    subnets = _default_subnets(session)

    def create(name: str, **extra: Any) -> None:
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": _zip(name)},
            MemorySize=256,
            Tags={"team": "payments"},
            **extra,
        )

    for name in (ASYNC_MISSING, ASYNC_COVERED):
        create(name, Description="Resizes uploads" if name == ASYNC_MISSING else "Parses uploaded invoices")
        lam.add_permission(
            FunctionName=name,
            StatementId="s3-uploads",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
            SourceArn=f"arn:aws:s3:::{name}-bucket",
            SourceAccount=account_id,
        )
    lam.put_function_event_invoke_config(
        FunctionName=ASYNC_COVERED,
        DestinationConfig={
            "OnFailure": {"Destination": f"arn:aws:sqs:{REGION}:{account_id}:invoices-failed"}
        },
    )
    create(FLAKY, Description="Partner webhook; the partner sends malformed payloads")
    create(SLOW, Timeout=SLOW_TIMEOUT_S, Description="Nightly CSV export")
    zones = sorted(subnets)
    create(
        VPC_SINGLE,
        VpcConfig={"SubnetIds": [subnets[zones[0]]], "SecurityGroupIds": ["sg-0ledger"]},
        Description="Ledger sync, one subnet",
    )
    create(
        VPC_MULTI,
        VpcConfig={"SubnetIds": [subnets[z] for z in zones[:2]], "SecurityGroupIds": ["sg-0ledger"]},
        TracingConfig={"Mode": "Active"},
        KMSKeyArn=DEMO_KEY_ARN,
        Environment={"Variables": {"LEDGER_TABLE": "journal-entries-prod"}},
        Description="Ledger API, two zones",
    )
    create(CORS_WILDCARD, Description="Partner portal backend")
    lam.create_function_url_config(
        FunctionName=CORS_WILDCARD,
        AuthType="AWS_IAM",
        Cors={"AllowOrigins": ["*"], "AllowCredentials": True, "AllowMethods": ["GET", "POST"]},
    )
    create(REFS_ONLY, Environment={"Variables": REFERENCES}, Description="Reads its secrets at run time")
    _seed_metrics(session, now)


def _default_subnets(session: Any) -> dict[str, str]:
    """{Availability Zone: subnet id} of the region's default VPC (moto creates one subnet per zone)."""
    ec2 = session.client("ec2", region_name=REGION)
    return {s["AvailabilityZone"]: s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]}


def _seed_metrics(session: Any, now: datetime) -> None:
    def point(metric: str, name: str, days_ago: float, value: float, unit: str = "Count") -> dict[str, Any]:
        return {
            "MetricName": metric,
            "Dimensions": [{"Name": "FunctionName", "Value": name}],
            "Timestamp": now - timedelta(days=days_ago),
            "Value": value,
            "Unit": unit,
        }

    data = []
    for day in (0.5, 1.5, 2.5, 3.5):
        data.append(point("Invocations", FLAKY, day, FLAKY_INVOCATIONS / 4))
        data.append(point("Errors", FLAKY, day, FLAKY_ERRORS / 4))
        data.append(point("Invocations", SLOW, day, 1))
        data.append(point("Duration", SLOW, day, SLOW_MAX_MS - 1000 * day, "Milliseconds"))
        data.append(point("Invocations", CORS_WILDCARD, day, 30))
        data.append(point("UrlRequestCount", CORS_WILDCARD, day, 30))
    session.client("cloudwatch", region_name=REGION).put_metric_data(Namespace="AWS/Lambda", MetricData=data)
