"""AWS Compute Optimizer for the demo account: moto does not implement the service (it answers 404
"Not yet implemented"), so `GetLambdaFunctionRecommendations` is answered here, in-process.

One botocore `before-call` handler (the hook botocore's own Stubber uses: a handler that returns a
response short-circuits the HTTP request) answers for the regions the demo seed filled, in AWS's
shape (Compute Optimizer API Reference, GetLambdaFunctionRecommendations, read 2026-12-06): a page of
`lambdaFunctionRecommendations`, or `OptInRequiredException` for a region the seed marks as not
opted in; once seeded, every other region is not opted in (AWS's state for an account that never
opted in). Before any seed, calls pass through to moto. `wsgi()` answers the same over HTTP for the
served emulation (lambdaops.demo.server), where regions the seed did not fill are not opted in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

# region -> recommendations (AWS's item shape), or None: the account has not opted in there
RECOMMENDATIONS: dict[str, list[dict[str, Any]] | None] = {}
_EVENT = "before-call.compute-optimizer.GetLambdaFunctionRecommendations"
_TARGET = "ComputeOptimizerService.GetLambdaFunctionRecommendations"
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/compute-optimizer/")
_NOT_OPTED_IN = "The account is not opted in to AWS Compute Optimizer."


def _answer(request_signer: Any = None, **_: Any) -> tuple[Any, dict[str, Any]] | None:
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    def response(status: int) -> AWSResponse:
        return AWSResponse("https://compute-optimizer.amazonaws.com/", status, HTTPHeaders(), None)

    region = getattr(request_signer, "_region_name", None)
    if not RECOMMENDATIONS:
        return None  # not seeded: not the demo
    items = RECOMMENDATIONS.get(str(region))
    if items is None:
        error = {
            "Error": {
                "Code": "OptInRequiredException",
                "Message": _NOT_OPTED_IN,
            },
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return response(400), error
    body = {"lambdaFunctionRecommendations": list(items), "ResponseMetadata": {"HTTPStatusCode": 200}}
    return response(200), body


def install() -> None:
    """Register the handler for every botocore session created from now on (idempotent)."""
    from botocore import handlers

    if (_EVENT, _answer) not in handlers.BUILTIN_HANDLERS:
        handlers.BUILTIN_HANDLERS.append((_EVENT, _answer))


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi(app: WsgiApp) -> WsgiApp:
    """`app` with GetLambdaFunctionRecommendations answered (JSON 1.0, as the service speaks it)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") != _TARGET:
            return app(environ, start_response)
        match = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
        items = RECOMMENDATIONS.get(match.group(1)) if match else None
        if items is None:
            status = "400 Bad Request"
            body: dict[str, Any] = {"__type": "OptInRequiredException", "message": _NOT_OPTED_IN}
        else:
            status, body = "200 OK", {"lambdaFunctionRecommendations": items}
        data = json.dumps(body).encode()
        start_response(
            status,
            [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data)))],
        )
        return [data]

    return wrapped
