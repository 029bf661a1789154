"""Demo functions for prune / restore (issue 12 item 1, issue 13 item 6).

* `orders-legacy` (eu-central-1, never invoked): three published versions with their own code and
  configuration, `$LATEST` changed again since, alias `live` on version 2 sending 25 % to version 3,
  alias `stable` on version 1, provisioned concurrency on `live`, an on-failure destination, and an
  SQS trigger. `prune` archives all of it; `restore` republishes the versions and reports the
  mapping.
* `legacy-report-renderer` (eu-west-1, never invoked): a container-image function. Its image stays in
  ECR, so prune refuses it unless `--accept-incomplete-archive`, and warns that the tag no longer
  resolves to the archived digest (the demo has no such repository).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from typing import Any

VERSIONED = "orders-legacy"
IMAGE_FUNCTION = "legacy-report-renderer"
VERSIONED_REGION = "eu-central-1"
IMAGE_REGION = "eu-west-1"


def _zip(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", f"def handler(event, context):\n    return {text!r}\n")
    return buf.getvalue()


def seed_archive_cases(session: Any, account_id: str, role_arn: str, now: datetime) -> None:
    """Plant both functions (moto must be active), deployed 200 days ago and never invoked."""
    from moto.awslambda.models import lambda_backends

    lam = session.client("lambda", region_name=VERSIONED_REGION)
    sqs = session.client("sqs", region_name=VERSIONED_REGION)
    queue = sqs.create_queue(QueueName="orders-legacy-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam.create_function(
        FunctionName=VERSIONED,
        Runtime="python3.12",
        Role=role_arn,
        Handler="handler.handler",
        Code={"ZipFile": _zip("orders v1")},
        MemorySize=128,
        Description="orders v1",
        Environment={"Variables": {"STAGE": "v1"}},
        Tags={"team": "orders"},
    )
    lam.publish_version(FunctionName=VERSIONED)
    for n, memory in ((2, 256), (3, 512)):
        lam.update_function_code(FunctionName=VERSIONED, ZipFile=_zip(f"orders v{n}"))
        lam.update_function_configuration(
            FunctionName=VERSIONED,
            MemorySize=memory,
            Description=f"orders v{n}",
            Environment={"Variables": {"STAGE": f"v{n}"}},
        )
        lam.publish_version(FunctionName=VERSIONED)
    lam.update_function_code(FunctionName=VERSIONED, ZipFile=_zip("orders unreleased"))
    lam.create_alias(
        FunctionName=VERSIONED,
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"3": 0.25}},
    )
    lam.create_alias(FunctionName=VERSIONED, Name="stable", FunctionVersion="1")
    lam.put_provisioned_concurrency_config(
        FunctionName=VERSIONED, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    lam.put_function_event_invoke_config(
        FunctionName=VERSIONED,
        MaximumRetryAttempts=1,
        DestinationConfig={
            "OnFailure": {"Destination": f"arn:aws:sqs:{VERSIONED_REGION}:{account_id}:orders-dlq"}
        },
    )
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=VERSIONED, BatchSize=10)

    west = session.client("lambda", region_name=IMAGE_REGION)
    west.create_function(
        FunctionName=IMAGE_FUNCTION,
        Role=role_arn,
        PackageType="Image",
        Code={"ImageUri": f"{account_id}.dkr.ecr.{IMAGE_REGION}.amazonaws.com/report-renderer:latest"},
        MemorySize=1024,
        Description="monthly PDF reports (container image)",
    )
    stamp = (now - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
    for region, name in ((VERSIONED_REGION, VERSIONED), (IMAGE_REGION, IMAGE_FUNCTION)):
        lambda_backends[account_id][region].get_function(name).last_modified = stamp
