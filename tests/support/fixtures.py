"""Small helpers several test modules share: operation recording, code packages, billing alarms."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import boto3
import pytest


def record_operations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every AWS operation any botocore client makes from now on (undone with the monkeypatch)."""
    import botocore.client

    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: Any) -> Any:
        calls.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


def zip_bytes() -> bytes:
    """A minimal Lambda code package."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def put_billing_alarm(name: str, threshold: float, **extra: Any) -> None:
    """A hand-made EstimatedCharges alarm in us-east-1, the way the console creates one."""
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/Billing",
        MetricName="EstimatedCharges",
        Dimensions=[{"Name": "Currency", "Value": "USD"}],
        Statistic="Maximum",
        Period=21600,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        **extra,
    )
