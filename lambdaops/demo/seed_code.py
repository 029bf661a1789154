"""Demo plantings for audit-code (issue 19): functions whose packages carry known advisories.

In REGION, each busy (so never inactive), tagged as managed, with a role of its own and no policy:
- `orders-api` (python3.12): requests 2.19.0 and urllib3 1.26.4, boto3/botocore that the runtime
  provides, an access key id in settings.py; layer `common-yaml` (PyYAML 5.3.1); version 1 published
  with the same code behind the alias `live` (read once: one CodeSha256).
- `catalog-web` (nodejs22.x): lodash 4.17.15 and @aws-sdk/client-s3 (the runtime provides SDK v3).
- `billing-batch` (java21): jackson-databind 2.9.8 and commons-text 1.9 in lib/*.jar.

`lambdaops audit-code --demo --osv-db lambdaops/demo/data/osv` then finds seven advisories (see
docs/audit-code.md).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from lambdaops.demo import code_packages

REGION = "eu-central-1"
LAYER = "common-yaml"
PYTHON_FUNCTION = "orders-api"
NODE_FUNCTION = "catalog-web"
JAVA_FUNCTION = "billing-batch"
FUNCTION_NAMES = (PYTHON_FUNCTION, NODE_FUNCTION, JAVA_FUNCTION)
_TAGS = {"ManagedBy": "terraform", "team": "commerce"}


def seed_code(session: Any, now: datetime) -> None:
    from lambdaops.demo.seed import ASSUME_LAMBDA

    iam = session.client("iam", region_name="us-east-1")
    client = session.client("lambda", region_name=REGION)
    layer = client.publish_layer_version(
        LayerName=LAYER,
        Content={"ZipFile": code_packages.python_layer()},
        CompatibleRuntimes=["python3.12"],
    )["LayerVersionArn"]
    specs: tuple[tuple[str, str, str, bytes, list[str]], ...] = (
        (PYTHON_FUNCTION, "python3.12", "handler.handler", code_packages.python_app(), [layer]),
        (NODE_FUNCTION, "nodejs22.x", "index.handler", code_packages.node_app(), []),
        (JAVA_FUNCTION, "java21", "com.example.Handler::handleRequest", code_packages.java_app(), []),
    )
    metrics: list[dict[str, Any]] = []
    for name, runtime, handler, package, layers in specs:
        role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(ASSUME_LAMBDA))
        client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role["Role"]["Arn"],
            Handler=handler,
            Code={"ZipFile": package},
            Layers=layers,
            Tags=_TAGS,
        )
        metrics.extend(
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "FunctionName", "Value": name}],
                "Timestamp": now - timedelta(days=days_ago),
                "Value": 120.0,
                "Unit": "Count",
            }
            for days_ago in range(1, 15)
        )
    client.publish_version(FunctionName=PYTHON_FUNCTION, Description="release 1")
    client.create_alias(FunctionName=PYTHON_FUNCTION, Name="live", FunctionVersion="1")
    session.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/Lambda", MetricData=metrics
    )
