"""lambda-no-concurrency-limit: a function without a reservation can take the whole unreserved pool."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.analysis.exposure import public_functions, publicly_invokable
from lambdaops.checks.concurrency.concurrency_common import GROUP
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "lambda-no-concurrency-limit"
REMEDIATION = (
    "Cap the function at what it needs: `lambdaops set-concurrency FUNCTION --reserved N`, or "
    "`lambdaops audit-concurrency --cap-unlimited N --apply` for every function without one (both keep "
    "the unreserved floor). A reservation is also a guarantee: size it from the function's peak."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    public = public_functions(inv)
    for fn in inv.all_functions():
        if fn.arn not in inv.reserved or inv.reserved[fn.arn] is not None:
            continue  # unknown, or limited (a reservation of 0 is a limit too)
        pool = inv.account_settings.get(fn.scope)
        reason = public.get(fn.arn)
        is_public = publicly_invokable(inv, fn, reason)
        share = (
            f"up to all {pool.unreserved} unreserved concurrent executions of {fn.region}"
            if pool is not None
            else f"the whole unreserved pool of {fn.region}"
        )
        message = (
            f"{fn.name} has no reserved concurrency: it can take {share}, throttling every other function"
        )
        if reason:
            message += f"; anyone can invoke it ({reason}), so a flood of requests can do exactly that"
        inferred = inv.reserved_inferred.get(fn.scope, False)
        yield INFO.finding(
            fn,
            message,
            # raised to high when anyone can invoke it: a flood of requests takes the pool
            severity=Severity.HIGH if reason else None,
            evidence={
                "reserved_concurrency": None,
                "publicly_invokable": is_public,
                "public_reason": reason,
                "region_unreserved": pool.unreserved if pool is not None else None,
                # True: the region reserves nothing, so the function's own reservation was not read;
                # it has none above 0 (a reservation of 0 would not show in the account total).
                "reservation_inferred_from_account": inferred,
            },
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.LOW,
        title="Function without a concurrency limit",
        remediation=REMEDIATION,
        needs=frozenset(
            {Part.CONCURRENCY, Part.ACCOUNT_SETTINGS, Part.RESOURCE_POLICIES, Part.FUNCTION_URLS}
        ),
        run=run,
        group=GROUP,
    )
)
