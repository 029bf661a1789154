"""Demo: an execution role far broader than its use, for `least-privilege` and the iam-unused-* checks.

`reports-exporter` (eu-west-1) runs nightly with role `reports-exporter-role`, created 200 days ago:

* `s3:*` on one bucket (`acme-reports-prod` and its objects), of which it only ever read objects
  (`s3:GetObject`, yesterday). GetObject is an S3 data event: IAM's action-level report never lists
  it, only the service's date moves. So the proposal keeps S3's object-level actions (which IAM
  cannot see) on that bucket and drops every S3 management action (iam-unused-action);
* `dynamodb:*` on a legacy table it never used (iam-unused-service);
* `sqs:SendMessage` on a queue, last used 150 days ago (iam-unused-service, last-used date shown);
* AWSLambdaBasicExecutionRole (the logging baseline): kept as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

REGION = "eu-west-1"
FUNCTION_NAME = "reports-exporter"
ROLE_NAME = "reports-exporter-role"
BUCKET = "acme-reports-prod"
ROLE_AGE_DAYS = 200
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
ASSUME_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def role_policy(account_id: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReportsBucket",
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            },
            {
                "Sid": "LegacyTable",
                "Effect": "Allow",
                "Action": "dynamodb:*",
                "Resource": f"arn:aws:dynamodb:{REGION}:{account_id}:table/reports-legacy",
            },
            {
                "Sid": "ReadyQueue",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": f"arn:aws:sqs:{REGION}:{account_id}:reports-ready",
            },
        ],
    }


def seed_least_privilege(
    session: Any, account_id: str, now: datetime, zip_bytes: Callable[[str], bytes]
) -> None:
    """Create the role, its function, a day of invocations and the role's last-accessed usage."""
    from moto.iam.models import iam_backends

    from lambdaops.demo.last_accessed_shim import seed_usage

    iam = session.client("iam", region_name="us-east-1")
    arn = iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(ASSUME_LAMBDA))["Role"][
        "Arn"
    ]
    iam.put_role_policy(
        RoleName=ROLE_NAME,
        PolicyName="reports-exporter-access",
        PolicyDocument=json.dumps(role_policy(account_id)),
    )
    iam.attach_role_policy(RoleName=ROLE_NAME, PolicyArn=BASIC_EXECUTION)
    # moto stamps CreateDate with the seeding time; the role is meant to have 200 days of history.
    role = iam_backends[account_id]["global"].get_role(ROLE_NAME)
    role.create_date = (now - timedelta(days=ROLE_AGE_DAYS)).astimezone(UTC).replace(tzinfo=None)

    client = session.client("lambda", region_name=REGION)
    client.create_function(
        FunctionName=FUNCTION_NAME,
        Runtime="python3.12",
        Role=arn,
        Handler="handler.handler",
        Code={"ZipFile": zip_bytes(FUNCTION_NAME)},
        MemorySize=256,
        Description="Nightly export of the reports bucket",
        Tags={"team": "reporting"},
    )
    session.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "FunctionName", "Value": FUNCTION_NAME}],
                "Timestamp": now - timedelta(days=1),
                "Value": 1,
                "Unit": "Count",
            }
        ],
    )
    yesterday = now - timedelta(days=1)
    seed_usage(
        account_id,
        arn,
        {
            "s3": (yesterday, {"GetObject": yesterday}),
            "logs": (yesterday, {}),
            "sqs": (now - timedelta(days=150), {}),
        },
    )
