"""Nothing lost: a version whose callers cannot be established is never deleted (prune-versions)."""

from __future__ import annotations

from typing import Any

import pytest

from lambdaops.collect.version_callers import policy_callers
from tests.prune_support import REGION, Account, account, run_cli
from tests.test_prune_versions import by_version, publish, versions

__all__ = ["account"]


@pytest.mark.parametrize(
    "doc",
    [
        "not json at all",  # unparseable text
        {"Statement": "nonsense"},  # statements of the wrong shape
        {"Statement": [42]},
    ],
)
def test_a_policy_lambdaops_cannot_read_keeps_the_version(doc: Any) -> None:
    assert policy_callers(doc) is None


def test_deny_only_policy_names_no_caller_and_allow_is_named() -> None:
    assert policy_callers(None) == []
    assert policy_callers({"Statement": [{"Effect": "Deny", "Principal": "*", "Sid": "d"}]}) == []
    allow = {"Statement": {"Sid": "sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}}}
    assert policy_callers(allow) == ["sns (sns.amazonaws.com)"]


def test_garbled_version_policy_is_kept_not_deleted(
    account: Account, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdaops.actions import versions as versions_mod

    monkeypatch.chdir(tmp_path)
    account.function("renderer")
    publish(account, "renderer", 3)
    monkeypatch.setattr(versions_mod, "version_policy", lambda c, n, v: "{garbled" if v == "1" else None)
    result = run_cli(
        ["prune-versions", "--region", REGION, "--output", "json", "--keep", "1", "--apply", "--yes"]
    )
    changes = by_version(result)
    assert changes[("renderer", "1")]["status"] == "failed"
    assert changes[("renderer", "2")]["status"] == "applied"
    assert versions(account, "renderer") == ["1", "3"]
    assert result.exit_code == 4  # a change left in place for lack of information is "failed"


def test_a_url_naming_a_version_keeps_it(
    account: Account, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdaops.actions import versions as versions_mod
    from lambdaops.inventory import UrlConfig

    monkeypatch.chdir(tmp_path)
    account.function("renderer")
    publish(account, "renderer", 3)
    monkeypatch.setattr(
        versions_mod, "list_url_configs", lambda c, n: [UrlConfig("https://x.lambda-url", "AWS_IAM", "1")]
    )
    result = run_cli(
        ["prune-versions", "--region", REGION, "--output", "json", "--keep", "1", "--apply", "--yes"]
    )
    changes = by_version(result)
    assert changes[("renderer", "1")]["status"] == "unchanged"
    assert "function URL" in changes[("renderer", "1")]["reason"]
    assert versions(account, "renderer") == ["1", "3"]
