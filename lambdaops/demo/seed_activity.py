"""Demo cases for activity read the way AWS reports it: a throttled function that looks idle.

`orders-webhook-legacy` (eu-west-1) is reserved at 0 and its caller keeps retrying: CloudWatch has
`Throttles` datapoints for it inside the window and no `Invocations` (AWS does not count a
throttled request as an invocation). list-inactive must call it `throttled`, and prune must keep it.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from typing import Any

THROTTLED_FUNCTION = "orders-webhook-legacy"
THROTTLED_REGION = "eu-west-1"
THROTTLED_ROLE = "payments-role"
# days ago -> throttled requests that day (inside any --days window of 2 or more)
THROTTLED_DAYS = {0.5: 40.0, 1.5: 55.0, 3.0: 12.0}


def _zip(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", f"def handler(event, context):\n    return {{'fn': {name!r}}}\n")
    return buf.getvalue()


def set_last_modified(account_id: str, region: str, name: str, when: datetime) -> None:
    from moto.awslambda.models import lambda_backends

    fn = lambda_backends[account_id][region].get_function(name)
    fn.last_modified = when.strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def seed_throttled(session: Any, account_id: str, now: datetime) -> None:
    client = session.client("lambda", region_name=THROTTLED_REGION)
    role = f"arn:aws:iam::{account_id}:role/{THROTTLED_ROLE}"
    client.create_function(
        FunctionName=THROTTLED_FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _zip(THROTTLED_FUNCTION)},
        MemorySize=256,
        Description="Webhook receiver switched off at 0 during an incident; the partner still calls it",
        Tags={"team": "payments"},
    )
    client.put_function_concurrency(FunctionName=THROTTLED_FUNCTION, ReservedConcurrentExecutions=0)
    set_last_modified(account_id, THROTTLED_REGION, THROTTLED_FUNCTION, now - timedelta(days=120))
    cw = session.client("cloudwatch", region_name=THROTTLED_REGION)
    cw.put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Throttles",
                "Dimensions": [{"Name": "FunctionName", "Value": THROTTLED_FUNCTION}],
                "Timestamp": now - timedelta(days=ago),
                "Value": count,
                "Unit": "Count",
            }
            for ago, count in THROTTLED_DAYS.items()
        ],
    )


# Lambda@Edge (us-east-1, outside the demo's default regions: `--region us-east-1` shows them).
# cdn-edge-auth runs at the edge: its replicas' Invocations are in eu-west-1 under
# `us-east-1.cdn-edge-auth`, none in us-east-1. cdn-edge-legacy-redirect is still associated with
# the distribution but never ran: idle, yet prune must keep it (AWS refuses to delete a function
# with replicas).
EDGE_REGION = "us-east-1"
EDGE_ACTIVE = "cdn-edge-auth"
EDGE_IDLE = "cdn-edge-legacy-redirect"
EDGE_REPLICA_REGION = "eu-west-1"
EDGE_ROLE = "edge-role"
ASSUME_EDGE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _behaviour(origin: str, arns: dict[str, str], path: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "TargetOriginId": origin,
        "ViewerProtocolPolicy": "redirect-to-https",
        "MinTTL": 0,
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        "LambdaFunctionAssociations": {
            "Quantity": len(arns),
            "Items": [
                {"LambdaFunctionARN": arn, "EventType": event, "IncludeBody": False}
                for event, arn in sorted(arns.items())
            ],
        },
    }
    if path is not None:
        out["PathPattern"] = path
    return out


def seed_edge(session: Any, account_id: str, now: datetime) -> None:
    import json

    iam = session.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName=EDGE_ROLE, AssumeRolePolicyDocument=json.dumps(ASSUME_EDGE))["Role"][
        "Arn"
    ]
    client = session.client("lambda", region_name=EDGE_REGION)
    versions: dict[str, str] = {}
    for name in (EDGE_ACTIVE, EDGE_IDLE):
        client.create_function(
            FunctionName=name,
            Runtime="nodejs22.x",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": _zip(name)},
            MemorySize=128,
            Description="Lambda@Edge viewer-request function of the www distribution",
            Tags={"team": "web"},
        )
        versions[name] = client.publish_version(FunctionName=name)["FunctionArn"]
        set_last_modified(account_id, EDGE_REGION, name, now - timedelta(days=200))
    origin = "www-bucket"
    session.client("cloudfront", region_name="us-east-1").create_distribution(
        DistributionConfig={
            "CallerReference": "lambdaops-demo-www",
            "Comment": "www (demo)",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": origin,
                        "DomainName": "www-demo.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": _behaviour(origin, {"viewer-request": versions[EDGE_ACTIVE]}),
            "CacheBehaviors": {
                "Quantity": 1,
                "Items": [_behaviour(origin, {"origin-request": versions[EDGE_IDLE]}, "/old/*")],
            },
        }
    )
    session.client("cloudwatch", region_name=EDGE_REPLICA_REGION).put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "FunctionName", "Value": f"{EDGE_REGION}.{EDGE_ACTIVE}"}],
                "Timestamp": now - timedelta(days=ago),
                "Value": 900.0,
                "Unit": "Count",
            }
            for ago in (0.3, 1.3, 2.3)
        ],
    )
