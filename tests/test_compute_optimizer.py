"""Compute Optimizer's Lambda memory recommendations, read with botocore's Stubber (moto lacks the
service): pages followed, not-opted-in is a state not an error, a refusal is an error record."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from lambdaops.collect.compute_optimizer import NOT_ENABLED, UNREADABLE, lambda_recommendations

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:"


def _item(name: str, version: str, current: int, recommended: int, savings: float) -> dict[str, Any]:
    return {
        "functionArn": f"{ARN}{name}:{version}",
        "functionVersion": version,
        "currentMemorySize": current,
        "finding": "NotOptimized",
        "findingReasonCodes": ["MemoryOverprovisioned"],
        "lookbackPeriodInDays": 14.0,
        "memorySizeRecommendationOptions": [
            {"rank": 2, "memorySize": 4096},
            {
                "rank": 1,
                "memorySize": recommended,
                "savingsOpportunity": {"estimatedMonthlySavings": {"currency": "USD", "value": savings}},
            },
        ],
    }


def _client() -> Any:
    return boto3.client("compute-optimizer", region_name="eu-west-1")


def test_pages_are_followed_without_function_arns_and_latest_wins() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "get_lambda_function_recommendations",
            {"lambdaFunctionRecommendations": [_item("a", "3", 1024, 512, 1.0)], "nextToken": "t"},
            {"maxResults": 1000},
        )
        stub.add_response(
            "get_lambda_function_recommendations",
            {
                "lambdaFunctionRecommendations": [
                    _item("a", "$LATEST", 2048, 1024, 9.5),
                    _item("b", "1", 512, 256, 0.5),
                ]
            },
            {"maxResults": 1000, "nextToken": "t"},
        )
        result = lambda_recommendations(client, "123456789012", "eu-west-1")
        stub.assert_no_pending_responses()
    assert result.calls == 2 and result.error is None
    a = result.by_arn[f"{ARN}a"]
    assert (a.current_mb, a.recommended_mb, a.estimated_monthly_savings) == (2048, 1024, 9.5)
    assert result.by_arn[f"{ARN}b"].recommended_mb == 256  # rank 1, not the first listed


def test_not_opted_in_is_a_state_not_an_error() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("get_lambda_function_recommendations", "OptInRequiredException", "opt in")
        result = lambda_recommendations(client, "123456789012", "eu-west-1")
    assert result.status == NOT_ENABLED and result.error is None and result.by_arn == {}


def test_a_refusal_is_an_error_record() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("get_lambda_function_recommendations", "AccessDeniedException", "no")
        result = lambda_recommendations(client, "123456789012", "eu-west-1")
    assert result.status == UNREADABLE and result.error is not None
    assert result.error.operation == "compute-optimizer:GetLambdaFunctionRecommendations"
