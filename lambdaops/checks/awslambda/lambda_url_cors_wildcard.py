"""lambda-url-cors-wildcard: a function URL whose CORS settings allow every origin (`*`) and
credentials (cookies, authorization headers): any web page a user visits may call it in their name.

AWS Lambda API Reference, "Cors" (docs.aws.amazon.com/lambda/latest/dg/API_Cors.html, read
2026-12-06): AllowOrigins may be the wildcard `*` ("grant access to all origins"), AllowCredentials
"whether to allow cookies or other credentials in requests to your function URL" (default false).
The URL configurations are those the scan reads for lambda-public-url (where a resource policy could
let callers in, or where callers hit the URL); a URL that could not be read is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fn in inv.all_functions():
        for url in inv.function_urls.get(fn.arn) or ():
            if url.cors_allow_origins is None or not url.cors_allow_credentials:
                continue  # unknown, or no credentials sent cross-origin
            if "*" not in url.cors_allow_origins:
                continue
            qualifier = url.qualifier or "$LATEST"
            yield INFO.finding(
                fn,
                f"{fn.name}: the function URL ({qualifier}) allows credentials from every origin (*)",
                evidence={
                    "url": url.url,
                    "qualifier": qualifier,
                    "auth_type": url.auth_type,
                    "allow_origins": list(url.cors_allow_origins),
                    "allow_credentials": True,
                },
                detail=qualifier,
            )


INFO = register(
    CheckInfo(
        id="lambda-url-cors-wildcard",
        severity=Severity.MEDIUM,
        title="Function URL CORS allows credentials from any origin",
        remediation=(
            "List the origins that may call the URL in Cors.AllowOrigins (`aws lambda "
            "update-function-url-config --cors AllowOrigins=https://app.example.com,AllowCredentials=true`), "
            "or set AllowCredentials=false if no cookies or credentials are needed."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.RESOURCE_POLICIES, Part.FUNCTION_URLS}),
        run=run,
        group="scan",
    )
)
