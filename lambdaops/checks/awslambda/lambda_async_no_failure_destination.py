"""lambda-async-no-failure-destination: an AWS service invokes the function asynchronously (an S3,
SNS, EventBridge, ... grant in its resource policy) and it has neither a dead-letter queue nor an
on-failure destination: an event that still fails after Lambda's retries (two by default), or waits
longer than the maximum event age (six hours by default), is dropped.

AWS Lambda Developer Guide, "Invoking a Lambda function asynchronously" and "Capturing records of
Lambda asynchronous invocations" (invocation-async-retain-records), read 2026-12-06: Lambda retries a
failed asynchronous event twice, keeps an unprocessed event up to 6 hours, then discards it unless a
dead-letter queue or an on-failure destination is configured.

The trigger is read from the resource policy the scan already reads; the event invoke configs
(ListFunctionEventInvokeConfigs) only for the functions with such a trigger and no dead-letter queue.
A function invoked asynchronously by code (InvocationType=Event) leaves no trace in its policy and is
not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.policy.async_triggers import async_grants
from lambdaops.settings import Settings


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fn in inv.all_functions():
        if fn.dead_letter_arn is None or fn.dead_letter_arn:
            continue  # not read (unknown), or a DLQ keeps what fails
        grants = async_grants(inv.resource_policies, fn.arn)
        if not grants:
            continue  # None: unknown; {}: no asynchronous trigger
        configs = inv.invoke_configs.get(fn.arn)
        if configs is None:
            continue  # not read: unknown
        covered = {c.qualifier for c in configs if c.on_failure_arn}
        exposed = {q: s for q, s in grants.items() if q not in covered}
        if not exposed:
            continue
        services = sorted({s for found in exposed.values() for s in found})
        targets = sorted("$LATEST" if q is None else q for q in exposed)
        yield INFO.finding(
            fn,
            f"{fn.name} is invoked asynchronously by {', '.join(services)} and has neither a dead-letter "
            "queue nor an on-failure destination: events that keep failing are dropped",
            evidence={"async_services": services, "qualifiers": targets, "dead_letter_arn": None},
        )


INFO = register(
    CheckInfo(
        id="lambda-async-no-failure-destination",
        severity=Severity.MEDIUM,
        title="Asynchronous events that fail go nowhere",
        remediation=(
            "Add an on-failure destination (`aws lambda put-function-event-invoke-config "
            "--destination-config OnFailure={Destination=<SQS, SNS, S3 or EventBridge ARN>}`) or a "
            "dead-letter queue (DeadLetterConfig), and alarm on what lands there."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.RESOURCE_POLICIES, Part.INVOKE_CONFIGS}),
        run=run,
        group="scan",
    )
)
