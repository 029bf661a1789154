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
# functions this module adds to the demo's default regions (eu-central-1, eu-west-1)
DEFAULT_REGION_FUNCTIONS = (THROTTLED_FUNCTION,)


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
