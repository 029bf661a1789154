"""IAM's last-accessed data for execution roles: what each role really used, per service and action.

IAM answers in two steps (IAM API Reference, GenerateServiceLastAccessedDetails and
GetServiceLastAccessedDetails, read 2026-12-06):

1. `GenerateServiceLastAccessedDetails(Arn, Granularity=ACTION_LEVEL)` starts a report job for one
   ARN and returns its `JobId`. A JobId must be read back by the same role within a session (or the
   same user), so one client (one set of credentials) generates and reads it.
2. `GetServiceLastAccessedDetails(JobId)` answers `JobStatus` IN_PROGRESS (poll again), COMPLETED
   (the services, paged with `Marker` while `IsTruncated`; IAM may return fewer than `MaxItems` even
   when more remain) or FAILED (with an `Error`: recorded as a gap of the report, exit 4).

One job per role ARN; jobs are started in batches of `JOBS_IN_FLIGHT` and polled with exponential
backoff, so a thousand roles never hold a thousand jobs open at once, and a poll loop never hammers
IAM (whose calls share one account-wide request rate; botocore's retry mode absorbs `Throttling`).
A job still running after `POLL_DEADLINE_S` is recorded as a gap rather than waited for forever.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from lambdaops.collect.guard import guarded
from lambdaops.inventory import RoleUsage, ServiceLastUsed
from lambdaops.model import ErrorRecord
from lambdaops.policy.tracking import action_level

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

OPERATIONS = ("iam:GenerateServiceLastAccessedDetails", "iam:GetServiceLastAccessedDetails")
GENERATE = "iam:GenerateServiceLastAccessedDetails"
GET = "iam:GetServiceLastAccessedDetails"
GLOBAL = "global"

JOBS_IN_FLIGHT = 20  # report jobs open at once per account
POLL_FIRST_S = 1.0  # jobs usually finish within seconds; the delay doubles from here
POLL_MAX_S = 16.0
POLL_DEADLINE_S = 300.0
PAGE_SIZE = 1000  # MaxItems (1 to 1000)


def _aware(moment: Any) -> datetime | None:
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _service(entry: dict[str, Any], action_job: bool) -> ServiceLastUsed:
    namespace = str(entry.get("ServiceNamespace") or "").lower()
    tracked = entry.get("TrackedActionsLastAccessed")
    actions: dict[str, datetime | None] | None = None
    if tracked is not None or (action_job and action_level(namespace)):
        # In an action-level job the field is absent when no tracked action was used in the period.
        actions = {}
        for item in tracked or ():
            name = str(item.get("ActionName") or "")
            if not name:
                continue
            key = (name if ":" in name else f"{namespace}:{name}").lower()
            actions[key] = _aware(item.get("LastAccessedTime"))
    return ServiceLastUsed(
        namespace=namespace,
        name=str(entry.get("ServiceName") or namespace),
        last_used=_aware(entry.get("LastAuthenticated")),
        actions=actions,
    )


@dataclass(frozen=True)
class JobOutcome:
    """One poll's answer: still running, done (with the role's usage) or failed (with IAM's reason)."""

    status: str
    usage: RoleUsage | None = None
    code: str = ""
    message: str = ""


def read_job(client: IAMClient, role_arn: str, job_id: str) -> JobOutcome:
    """Read one job: every page once it is COMPLETED. Raises ClientError when IAM refuses."""
    entries: list[dict[str, Any]] = []
    marker: str | None = None
    while True:
        kwargs: dict[str, Any] = {"JobId": job_id, "MaxItems": PAGE_SIZE}
        if marker:
            kwargs["Marker"] = marker
        page: Any = client.get_service_last_accessed_details(**kwargs)
        status = str(page.get("JobStatus") or "")
        if status != "COMPLETED":
            error = page.get("Error") or {}
            return JobOutcome(
                status or "FAILED",
                code=str(error.get("Code") or "JobFailed"),
                message=str(error.get("Message") or f"the last-accessed job for {role_arn} did not complete"),
            )
        entries.extend(page.get("ServicesLastAccessed") or [])
        marker = page.get("Marker")
        if not page.get("IsTruncated") or not marker:
            break
    action_job = str(page.get("JobType") or "ACTION_LEVEL") == "ACTION_LEVEL"
    services = {s.namespace: s for s in (_service(dict(e), action_job) for e in entries) if s.namespace}
    usage = RoleUsage(
        role_arn=role_arn,
        services=services,
        job_type="ACTION_LEVEL" if action_job else "SERVICE_LEVEL",
        generated_at=_aware(page.get("JobCompletionDate")),
    )
    return JobOutcome("COMPLETED", usage)


def _start(client: IAMClient, role_arn: str) -> str:
    answer = client.generate_service_last_accessed_details(Arn=role_arn, Granularity="ACTION_LEVEL")
    return str(answer["JobId"])


def collect_last_accessed(
    client: IAMClient,
    account_id: str,
    role_arns: Iterable[str],
    errors: list[ErrorRecord],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, RoleUsage]:
    """The last-accessed report of each role (by ARN). A role whose job IAM refused, failed or did not
    finish in time is absent, with an ErrorRecord: never an empty report."""
    out: dict[str, RoleUsage] = {}
    arns = sorted(set(role_arns))
    for start in range(0, len(arns), JOBS_IN_FLIGHT):
        pending: dict[str, str] = {}
        for arn in arns[start : start + JOBS_IN_FLIGHT]:
            job_id = guarded(errors, account_id, GLOBAL, GENERATE, partial(_start, client, arn))
            if job_id is not None:
                pending[arn] = job_id
        delay = POLL_FIRST_S
        deadline = clock() + POLL_DEADLINE_S
        while pending:
            for arn, job_id in sorted(pending.items()):
                outcome = guarded(errors, account_id, GLOBAL, GET, partial(read_job, client, arn, job_id))
                if outcome is None:  # refused: recorded by guarded
                    del pending[arn]
                elif outcome.status == "IN_PROGRESS":
                    continue
                elif outcome.status == "COMPLETED" and outcome.usage is not None:
                    out[arn] = outcome.usage
                    del pending[arn]
                else:
                    errors.append(
                        ErrorRecord(account_id, GLOBAL, GET, outcome.code, f"{arn}: {outcome.message}")
                    )
                    del pending[arn]
            if not pending:
                break
            if clock() + delay > deadline:  # the next poll would come after the deadline
                for arn in sorted(pending):
                    errors.append(
                        ErrorRecord(
                            account_id,
                            GLOBAL,
                            GET,
                            "JobTimedOut",
                            f"{arn}: the last-accessed job was still running after {POLL_DEADLINE_S:g} s",
                        )
                    )
                break
            sleep(delay)
            delay = min(delay * 2, POLL_MAX_S)
    return out
