"""AWS Compute Optimizer's memory recommendations for Lambda functions: one paginated read per region.

`GetLambdaFunctionRecommendations` without `functionArns` returns every function's recommendation in
the region, up to 1,000 a page (Compute Optimizer API Reference, GetLambdaFunctionRecommendations,
read 2026-12-06): no per-function call. An account that has not opted in answers
`OptInRequiredException`: that is "not enabled", a state the report shows, not an error. Compute
Optimizer recommends for functions with enough invocations in its look-back (14 days by default);
for the others it says `Unavailable` with a reason (`InsufficientData`, `Inconclusive`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lambdaops.collect.awslambda import unqualified
from lambdaops.collect.guard import error_record
from lambdaops.inventory import MemoryRecommendation
from lambdaops.model import ErrorRecord

OPERATIONS = ("compute-optimizer:GetLambdaFunctionRecommendations",)
PAGE = 1000  # the API's maximum maxResults

ENABLED, NOT_ENABLED, UNREADABLE = "enabled", "not-enabled", "unreadable"


@dataclass
class RecommendationResult:
    status: str  # enabled | not-enabled | unreadable
    by_arn: dict[str, MemoryRecommendation] = field(default_factory=dict)
    error: ErrorRecord | None = None
    calls: int = 0


def _recommendation(item: dict[str, Any]) -> MemoryRecommendation:
    options = sorted(item.get("memorySizeRecommendationOptions") or [], key=lambda o: o.get("rank", 99))
    best = options[0] if options else {}
    savings = ((best.get("savingsOpportunity") or {}).get("estimatedMonthlySavings") or {}).get("value")
    return MemoryRecommendation(
        current_mb=int(item.get("currentMemorySize") or 0),
        recommended_mb=int(best["memorySize"]) if best.get("memorySize") else None,
        finding=str(item.get("finding") or "Unavailable"),
        reasons=tuple(str(r) for r in item.get("findingReasonCodes") or ()),
        estimated_monthly_savings=float(savings) if savings is not None else None,
        lookback_days=float(item["lookbackPeriodInDays"]) if item.get("lookbackPeriodInDays") else None,
    )


def lambda_recommendations(client: Any, account_id: str, region: str) -> RecommendationResult:
    from botocore.exceptions import BotoCoreError, ClientError

    result = RecommendationResult(status=ENABLED)
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"maxResults": PAGE}
        if token:
            kwargs["nextToken"] = token
        try:
            page = client.get_lambda_function_recommendations(**kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "OptInRequiredException":
                return RecommendationResult(status=NOT_ENABLED, calls=result.calls + 1)
            op = "compute-optimizer:GetLambdaFunctionRecommendations"
            return RecommendationResult(UNREADABLE, error=error_record(exc, account_id, region, op))
        except BotoCoreError as exc:
            op = "compute-optimizer:GetLambdaFunctionRecommendations"
            return RecommendationResult(UNREADABLE, error=error_record(exc, account_id, region, op))
        result.calls += 1
        for item in page.get("lambdaFunctionRecommendations") or []:
            arn = unqualified(str(item.get("functionArn") or ""))
            # one recommendation per function version: keep $LATEST's (what the function runs
            # unless an alias says otherwise), else the newest version's
            version = str(item.get("functionVersion") or "")
            if arn in result.by_arn and version != "$LATEST":
                continue
            result.by_arn[arn] = _recommendation(item)
        token = page.get("nextToken")
        if not token:
            return result
