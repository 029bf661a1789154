"""iam-unused-service and iam-unused-action on hand-built inventories, and the unused_days setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lambdaops.checks.iam import iam_unused_action, iam_unused_service
from lambdaops.errors import UsageError
from lambdaops.inventory import IamDetails, InlinePolicy, Inventory, RoleInfo, RoleUsage, ServiceLastUsed
from lambdaops.model import Severity
from lambdaops.settings import Settings, build_settings
from tests.support.inventory import ACCOUNT, function, inventory

NOW = datetime(2026, 12, 6, tzinfo=UTC)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/exporter"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Bucket", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
        {"Sid": "Table", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
    ],
}


def _inv(created: datetime, usage: RoleUsage | None) -> Inventory:
    role = RoleInfo(ROLE, "exporter", (InlinePolicy("access", POLICY),), (), created=created)
    fns = [function("a", role_arn=ROLE), function("b", role_arn=ROLE)]
    inv = inventory(fns, now=NOW, iam={ACCOUNT: IamDetails(roles={ROLE: role}, policies={})})
    if usage is not None:
        inv.last_accessed[ROLE] = usage
    return inv


def _usage(s3_actions: dict[str, datetime | None], dynamodb: datetime | None) -> RoleUsage:
    return RoleUsage(
        ROLE,
        {
            "s3": ServiceLastUsed("s3", "Amazon S3", NOW - timedelta(days=1), s3_actions),
            "dynamodb": ServiceLastUsed("dynamodb", "Amazon DynamoDB", dynamodb, None),
        },
        "ACTION_LEVEL",
        NOW,
    )


OLD = NOW - timedelta(days=200)


def test_unused_service_fires_with_its_last_used_date_and_the_functions() -> None:
    inv = _inv(OLD, _usage({}, NOW - timedelta(days=120)))
    (f,) = iam_unused_service.run(inv, Settings())
    assert f.severity is Severity.MEDIUM and f.check_id == "iam-unused-service"
    assert f.resource_arn == ROLE and f.region == "global"
    assert f.evidence["service"] == "dynamodb"
    assert f.evidence["last_used"] == (NOW - timedelta(days=120)).date().isoformat()
    assert f.evidence["functions"] == sorted(fn.arn for fn in inv.all_functions())
    assert f.evidence["policy_name"] == "access" and f.evidence["statement"] == "Table"
    assert "has not used it for 90 days" in f.message


def test_unused_service_respects_the_window() -> None:
    inv = _inv(OLD, _usage({}, NOW - timedelta(days=120)))
    assert list(iam_unused_service.run(inv, Settings(unused_days=150))) == []


def test_unused_action_lists_tracked_actions_only() -> None:
    inv = _inv(OLD, _usage({"s3:putbucketpolicy": NOW - timedelta(days=2)}, NOW))
    (f,) = iam_unused_action.run(inv, Settings())
    unused = f.evidence["unused_actions"]
    assert "s3:CreateBucket" in unused and "s3:PutBucketPolicy" not in unused
    assert "s3:GetObject" not in unused  # a data event: IAM never reports it, so never "unused"
    assert f.evidence["untracked_actions_kept"] > 0
    assert f.detail == "s3"


def test_nothing_fires_for_a_role_younger_than_the_window() -> None:
    inv = _inv(NOW - timedelta(days=30), _usage({}, None))
    assert list(iam_unused_service.run(inv, Settings())) == []
    assert list(iam_unused_action.run(inv, Settings())) == []


def test_nothing_fires_when_the_report_could_not_be_read() -> None:
    inv = _inv(OLD, None)
    assert list(iam_unused_service.run(inv, Settings())) == []
    assert list(iam_unused_action.run(inv, Settings())) == []


def test_nothing_fires_when_iam_was_not_read() -> None:
    inv = _inv(OLD, _usage({}, None))
    inv.iam = {}
    assert list(iam_unused_service.run(inv, Settings())) == []


@pytest.mark.parametrize("value", ["0", "401", "ninety", "1.5"])
def test_unused_days_is_validated(value: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="LAMBDAOPS_UNUSED_DAYS"):
        build_settings(None, {}, environ={"LAMBDAOPS_UNUSED_DAYS": value})


def test_unused_days_from_config(tmp_path: Path) -> None:
    config = tmp_path / "lambdaops.toml"
    config.write_text("unused_days = 120\n", encoding="utf-8")
    assert build_settings(config, {}, environ={}).unused_days == 120
    config.write_text("unused_days = 500\n", encoding="utf-8")
    with pytest.raises(UsageError, match="unused_days"):
        build_settings(config, {}, environ={})


def _settings(**kw: Any) -> Settings:
    return Settings(**kw)


def test_default_window_is_ninety_days() -> None:
    assert _settings().unused_days == 90
