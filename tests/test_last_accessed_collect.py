"""collect/last_accessed.py against IAM's answers (botocore Stubber: moto has no such API).

A job still IN_PROGRESS is polled again after a backoff; COMPLETED answers are paged; FAILED, a refusal
or a job that never finishes become error records (exit 4), never an empty report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lambdaops.collect import last_accessed
from lambdaops.collect.last_accessed import collect_last_accessed
from lambdaops.model import ErrorRecord

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/r"
OTHER = f"arn:aws:iam::{ACCOUNT}:role/other"
T0 = datetime(2026, 12, 1, tzinfo=UTC)
T1 = datetime(2026, 12, 5, tzinfo=UTC)


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return boto3.client("iam", region_name="us-east-1")


def _generate(stub: Stubber, arn: str, job: str) -> None:
    stub.add_response(
        "generate_service_last_accessed_details",
        {"JobId": job},
        {"Arn": arn, "Granularity": "ACTION_LEVEL"},
    )


def _get(stub: Stubber, job: str, answer: dict[str, Any], marker: str | None = None) -> None:
    params: dict[str, Any] = {"JobId": job, "MaxItems": last_accessed.PAGE_SIZE}
    if marker:
        params["Marker"] = marker
    # botocore's model requires JobCompletionDate even while IN_PROGRESS (IAM documents it null then)
    body = {"JobCreationDate": T0, "JobCompletionDate": T0, "ServicesLastAccessed": [], **answer}
    stub.add_response("get_service_last_accessed_details", body, params)


def jid(name: str) -> str:
    """A JobId of the length IAM uses (a UUID: botocore checks the minimum length of 36)."""
    return f"{name:0>36}"[-36:]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def test_a_job_in_progress_is_polled_again_then_read_page_by_page(iam: Any) -> None:
    clock = Clock()
    with Stubber(iam) as stub:
        _generate(stub, ROLE, jid("job-1"))
        _get(stub, jid("job-1"), {"JobStatus": "IN_PROGRESS"})
        _get(stub, jid("job-1"), {"JobStatus": "IN_PROGRESS"})
        _get(
            stub,
            jid("job-1"),
            {
                "JobStatus": "COMPLETED",
                "JobType": "ACTION_LEVEL",
                "JobCompletionDate": T1,
                "IsTruncated": True,
                "Marker": "m1",
                "ServicesLastAccessed": [
                    {
                        "ServiceName": "Amazon S3",
                        "ServiceNamespace": "s3",
                        "LastAuthenticated": T1,
                        "TrackedActionsLastAccessed": [
                            {"ActionName": "CreateBucket", "LastAccessedTime": T0}
                        ],
                    }
                ],
            },
        )
        _get(
            stub,
            jid("job-1"),
            {
                "JobStatus": "COMPLETED",
                "JobType": "ACTION_LEVEL",
                "JobCompletionDate": T1,
                "IsTruncated": False,
                "ServicesLastAccessed": [
                    {"ServiceName": "Amazon DynamoDB", "ServiceNamespace": "dynamodb"},
                    {"ServiceName": "AWS Lambda", "ServiceNamespace": "lambda", "LastAuthenticated": T0},
                ],
            },
            marker="m1",
        )
        errors: list[ErrorRecord] = []
        out = collect_last_accessed(iam, ACCOUNT, [ROLE], errors, sleep=clock.sleep, clock=clock)
        stub.assert_no_pending_responses()
    assert errors == []
    assert clock.sleeps == [last_accessed.POLL_FIRST_S, 2 * last_accessed.POLL_FIRST_S]  # backoff doubles
    usage = out[ROLE]
    assert usage.job_type == "ACTION_LEVEL" and usage.generated_at == T1
    assert usage.services["s3"].last_used == T1
    assert usage.services["s3"].actions == {"s3:createbucket": T0}
    assert usage.services["dynamodb"].last_used is None and usage.services["dynamodb"].actions is None
    # lambda is tracked per action: no TrackedActionsLastAccessed in an action-level job = none used
    assert usage.services["lambda"].actions == {}


def test_a_failed_job_is_a_gap_and_other_roles_are_still_read(iam: Any) -> None:
    clock = Clock()
    with Stubber(iam) as stub:
        _generate(stub, OTHER, jid("job-o"))
        _generate(stub, ROLE, jid("job-r"))
        _get(
            stub, jid("job-o"), {"JobStatus": "FAILED", "Error": {"Code": "InternalError", "Message": "boom"}}
        )
        _get(
            stub, jid("job-r"), {"JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL", "JobCompletionDate": T1}
        )
        errors: list[ErrorRecord] = []
        out = collect_last_accessed(iam, ACCOUNT, [ROLE, OTHER], errors, sleep=clock.sleep, clock=clock)
    assert set(out) == {ROLE}
    assert [(e.operation, e.code, e.region) for e in errors] == [
        ("iam:GetServiceLastAccessedDetails", "InternalError", "global")
    ]
    assert OTHER in errors[0].message and "boom" in errors[0].message


def test_a_refused_job_is_a_gap(iam: Any) -> None:
    with Stubber(iam) as stub:
        stub.add_client_error(
            "generate_service_last_accessed_details", "AccessDenied", "not authorized", http_status_code=403
        )
        errors: list[ErrorRecord] = []
        out = collect_last_accessed(iam, ACCOUNT, [ROLE], errors, sleep=lambda s: None)
    assert out == {}
    assert [(e.operation, e.code) for e in errors] == [
        ("iam:GenerateServiceLastAccessedDetails", "AccessDenied")
    ]


def test_a_job_that_never_finishes_times_out_as_a_gap(iam: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(last_accessed, "POLL_DEADLINE_S", 10.0)
    clock = Clock()
    with Stubber(iam) as stub:
        _generate(stub, ROLE, jid("job-1"))
        for _ in range(4):  # polls at 0, 1, 3 and 7 s; the next (15 s) would pass the 10 s deadline
            _get(stub, jid("job-1"), {"JobStatus": "IN_PROGRESS"})
        errors: list[ErrorRecord] = []
        out = collect_last_accessed(iam, ACCOUNT, [ROLE], errors, sleep=clock.sleep, clock=clock)
        stub.assert_no_pending_responses()
    assert out == {}
    assert [e.code for e in errors] == ["JobTimedOut"]


def test_jobs_are_started_in_bounded_batches(iam: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(last_accessed, "JOBS_IN_FLIGHT", 2)
    roles = [f"arn:aws:iam::{ACCOUNT}:role/r{i}" for i in range(3)]
    with Stubber(iam) as stub:
        # batch 1: two jobs started, both read, then batch 2: the third
        _generate(stub, roles[0], jid("j0"))
        _generate(stub, roles[1], jid("j1"))
        _get(stub, jid("j0"), {"JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL", "JobCompletionDate": T1})
        _get(stub, jid("j1"), {"JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL", "JobCompletionDate": T1})
        _generate(stub, roles[2], jid("j2"))
        _get(stub, jid("j2"), {"JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL", "JobCompletionDate": T1})
        errors: list[ErrorRecord] = []
        out = collect_last_accessed(iam, ACCOUNT, roles, errors, sleep=lambda s: None)
        stub.assert_no_pending_responses()
    assert set(out) == set(roles) and errors == []
