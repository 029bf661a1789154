"""The (function ARN, RevisionId) cache of URL reads: hits, misses, safety; resource policies are
never served from it (AWS keeps a policy's revision apart from the function's), so a changed policy
is always seen, even when no RevisionId moved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambdaops.collect.revision_cache import (
    FILE_NAME,
    POLICY,
    REDACTED,
    URLS,
    RevisionCache,
    default_cache_dir,
    read_through,
)
from lambdaops.settings import Settings, build_settings
from tests.support.api_recorder import RECORDER
from tests.support.aws_proxy import AwsProxy
from tests.support.e2e import FAKE_SECRET, FAKE_TOKEN, run_lambdaops

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:f"
OTHER_REGION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:g"
POLICY_DOC = {"Version": "2012-10-17", "Statement": [{"Sid": "s", "Effect": "Allow", "Principal": "*"}]}


def _warnings() -> tuple[list[str], Any]:
    seen: list[str] = []
    return seen, seen.append


URL = [{"url": "https://x", "auth_type": "NONE", "qualifier": None}]


def test_hit_for_the_same_revision_across_runs(tmp_path: Path) -> None:
    cache = RevisionCache(tmp_path)
    assert cache.get(URLS, ARN, "r1") == (False, None)
    cache.put(POLICY, ARN, "r1", None)
    cache.put(URLS, ARN, "r1", URL)
    cache.save([("123456789012", "eu-west-1")])
    again = RevisionCache(tmp_path)
    assert again.get(URLS, ARN, "r1") == (False, None)  # this run has not read the policy yet
    again.put(POLICY, ARN, "r1", None)  # read live: still none
    assert again.get(URLS, ARN, "r1") == (True, URL)
    assert (again.hits, again.misses) == (1, 1)


def test_policies_are_never_served_from_the_cache(tmp_path: Path) -> None:
    cache = RevisionCache(tmp_path)
    cache.put(POLICY, ARN, "r1", POLICY_DOC)
    assert cache.get(POLICY, ARN, "r1") == (False, None)
    cache.save([("123456789012", "eu-west-1")])
    assert RevisionCache(tmp_path).get(POLICY, ARN, "r1") == (False, None)


def test_a_new_revision_is_a_miss_and_voids_what_was_read_before(tmp_path: Path) -> None:
    cache = RevisionCache(tmp_path)
    cache.put(POLICY, ARN, "r1", None)
    cache.put(URLS, ARN, "r1", [])
    assert cache.get(URLS, ARN, "r1") == (True, [])
    assert cache.get(URLS, ARN, "r2") == (False, None)
    cache.put(POLICY, ARN, "r2", None)
    assert cache.get(URLS, ARN, "r2") == (False, None)  # the r1 URLs went with r1
    assert cache.get(URLS, ARN, None) == (False, None)  # no revision: never a hit
    cache.put(URLS, ARN, "", URL)  # and never stored
    cache.put(URLS, ARN, "r2", [])
    assert cache.get(URLS, ARN, "r2") == (True, [])


def test_urls_come_from_the_cache_only_for_functions_found_without_a_policy_this_run(
    tmp_path: Path,
) -> None:
    cache = RevisionCache(tmp_path)
    cache.put(POLICY, ARN, "r1", None)
    cache.put(URLS, ARN, "r1", URL)
    cache.put(POLICY, OTHER_REGION_ARN, "r9", None)
    cache.put(URLS, OTHER_REGION_ARN, "r9", [])
    cache.save()
    rerun = RevisionCache(tmp_path)
    rerun.put(POLICY, ARN, "r1", None)
    assert rerun.get(URLS, ARN, "r1")[0]
    # the other function gained a policy without a new revision (AWS keeps the two apart): a policy
    # may make a URL public, so its URLs are read live
    rerun.put(POLICY, OTHER_REGION_ARN, "r9", POLICY_DOC)
    assert rerun.get(URLS, OTHER_REGION_ARN, "r9") == (False, None)


def test_read_through_reads_once_and_stores_nothing_on_error(tmp_path: Path) -> None:
    cache = RevisionCache(tmp_path)
    cache.put(POLICY, ARN, "r1", None)
    calls: list[int] = []

    def read() -> Any:
        calls.append(1)
        return URL

    assert read_through(cache, URLS, ARN, "r1", read) == URL
    assert read_through(cache, URLS, ARN, "r1", read) == URL
    assert len(calls) == 1

    def broken() -> Any:
        raise RuntimeError("refused")

    cache.put(POLICY, ARN, "r2", None)
    with pytest.raises(RuntimeError):
        read_through(cache, URLS, ARN, "r2", broken)
    assert cache.get(URLS, ARN, "r2") == (False, None)
    assert read_through(None, URLS, ARN, "r1", read) == URL and len(calls) == 2


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'{"format": "something else"}',
        b'{"format": "lambdaops-function-reads", "version": 1}',
        b"\xff\xfe",
    ],
)
def test_a_corrupt_file_is_ignored_with_a_warning_and_rewritten(tmp_path: Path, content: bytes) -> None:
    (tmp_path / FILE_NAME).write_bytes(content)
    seen, warn = _warnings()
    cache = RevisionCache(tmp_path, warn=warn)
    assert cache.get(URLS, ARN, "r1") == (False, None)
    assert len(seen) == 1 and str(tmp_path / FILE_NAME) in seen[0]
    cache.put(POLICY, ARN, "r1", None)
    cache.put(URLS, ARN, "r1", [])
    cache.save([("123456789012", "eu-west-1")])
    again = RevisionCache(tmp_path, warn=warn)
    again.put(POLICY, ARN, "r1", None)
    assert again.get(URLS, ARN, "r1") == (True, [])
    assert len(seen) == 1


def test_another_format_version_is_ignored_quietly(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text(
        json.dumps(
            {"format": "lambdaops-function-reads", "version": 99, "entries": {ARN: {"revision": "r1"}}}
        )
    )
    seen, warn = _warnings()
    assert RevisionCache(tmp_path, warn=warn).get(URLS, ARN, "r1") == (False, None)
    assert seen == []


def test_save_drops_deleted_functions_of_scanned_scopes_only(tmp_path: Path) -> None:
    cache = RevisionCache(tmp_path)
    cache.put(POLICY, ARN, "r1", None)
    cache.put(POLICY, OTHER_REGION_ARN, "r1", None)
    cache.save([("123456789012", "eu-west-1"), ("123456789012", "us-east-1")])
    rerun = RevisionCache(tmp_path)
    rerun.get(POLICY, ARN, "r1")  # only f is still there; us-east-1 was not scanned this time
    rerun.save([("123456789012", "eu-west-1")])
    rerun.put(POLICY, ARN, "r2", None)  # make the next save write
    rerun.save([("123456789012", "eu-west-1")])
    entries = json.loads((tmp_path / FILE_NAME).read_text())["entries"]
    assert set(entries) == {ARN, OTHER_REGION_ARN}
    third = RevisionCache(tmp_path)
    third.put(POLICY, OTHER_REGION_ARN, "r1", None)
    third.save([("123456789012", "eu-west-1")])  # f not seen in a scanned scope: dropped
    assert set(json.loads((tmp_path / FILE_NAME).read_text())["entries"]) == {OTHER_REGION_ARN}


def test_secret_condition_values_are_redacted(tmp_path: Path) -> None:
    policy = {
        "Statement": [{"Condition": {"StringEquals": {"lambda:EventSourceToken": "amzn1.ask.skill.secret"}}}]
    }
    cache = RevisionCache(tmp_path)
    cache.put(POLICY, ARN, "r1", policy)
    cache.save()
    text = (tmp_path / FILE_NAME).read_text()
    assert "amzn1.ask.skill.secret" not in text and REDACTED in text


def test_cache_directory_follows_xdg_and_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_cache_dir({"XDG_CACHE_HOME": "/var/cache/me"}) == Path("/var/cache/me/lambdaops")
    assert default_cache_dir({"XDG_CACHE_HOME": "relative"}) == Path.home() / ".cache" / "lambdaops"
    assert default_cache_dir({}) == Path.home() / ".cache" / "lambdaops"
    assert RevisionCache.from_settings(Settings(cache=False)) is None
    made = RevisionCache.from_settings(Settings(cache_dir=tmp_path))
    assert made is not None and made.directory == tmp_path
    assert build_settings(None, {}, environ={"LAMBDAOPS_CACHE": "false"}).cache is False
    assert build_settings(None, {}, environ={"LAMBDAOPS_CACHE_DIR": str(tmp_path)}).cache_dir == tmp_path
    # the test suite never writes to the real home (conftest)
    assert str(default_cache_dir()).startswith(str(tmp_path.parent.parent))


# ------------------------------------------------------------------ end to end, on a moto server

SCAN = ("scan", "-o", "json", "--no-progress", "--region", "eu-west-1", "--region", "eu-central-1")


def _scan(server: str, cache_dir: Path, *extra: str) -> tuple[Any, dict[str, int]]:
    with AwsProxy(server) as proxy:
        outcome = run_lambdaops(proxy.url, *SCAN, "--cache-dir", str(cache_dir), *extra, timeout=180)
        RECORDER.add_external(proxy.counts(), origin="test_revision_cache")
        counts = proxy.counts()
    assert outcome.code == 3, outcome.stderr
    assert outcome.report["errors"] == []
    return outcome.report, counts


@pytest.fixture(scope="module")
def own_server() -> Any:
    """A demo account of this module's own: one test here changes a permission."""
    from lambdaops.demo.server import running_server

    with running_server(seed="demo") as url:
        yield url


def test_rerun_reads_every_policy_live_and_sees_a_grant_no_revision_announced(
    own_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold, cold_calls = _scan(own_server, tmp_path)
    functions = len(cold["functions"])
    # every function's own policy, plus the policies of its aliases and versions
    assert cold_calls["lambda:GetPolicy"] >= functions
    warm, warm_calls = _scan(own_server, tmp_path)
    # policies are read live on every run (revision_cache: no documented key covers them) ...
    assert warm_calls["lambda:GetPolicy"] == cold_calls["lambda:GetPolicy"]
    # ... URL look-ups only for functions with a resource policy
    assert warm_calls.get("lambda:ListFunctionUrlConfigs", 0) < cold_calls["lambda:ListFunctionUrlConfigs"]
    for key in ("findings", "functions", "summary"):
        assert warm[key] == cold[key]
    # --no-cache reads everything again and leaves the cache as it was
    before = (tmp_path / FILE_NAME).read_bytes()
    _, uncached = _scan(own_server, tmp_path, "--no-cache")
    assert uncached["lambda:ListFunctionUrlConfigs"] == cold_calls["lambda:ListFunctionUrlConfigs"]
    assert (tmp_path / FILE_NAME).read_bytes() == before

    # On AWS a permission change does not move the function's RevisionId (the shim keeps them apart,
    # as AWS does since November 2025): the new public grant must still be seen, on the function and
    # on an alias.
    monkeypatch.setenv("AWS_ENDPOINT_URL", own_server)
    lam = boto3.client("lambda", region_name="eu-west-1")
    name = next(f["name"] for f in cold["functions"] if f["region"] == "eu-west-1")
    revision = lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    lam.add_permission(
        FunctionName=name, StatementId="everyone", Action="lambda:InvokeFunction", Principal="*"
    )
    assert lam.get_function(FunctionName=name)["Configuration"]["RevisionId"] == revision
    changed, changed_calls = _scan(own_server, tmp_path)
    public = [f for f in changed["findings"] if f["resource_name"] == name and "public" in f["check_id"]]
    assert public, "the new public grant must be seen"
    assert changed_calls["lambda:GetPolicy"] == cold_calls["lambda:GetPolicy"]
    # and removed again: the finding goes, with no revision moved either
    lam.remove_permission(FunctionName=name, StatementId="everyone")
    assert lam.get_function(FunctionName=name)["Configuration"]["RevisionId"] == revision
    back, _ = _scan(own_server, tmp_path)
    assert not [f for f in back["findings"] if f["resource_name"] == name and "public" in f["check_id"]]

    # an alias's policy: a public grant on it moves no RevisionId a list call returns that lambdaops
    # could trust, and it is seen on the next run
    public_before = {f["resource_name"] for f in back["findings"] if "public" in f["check_id"]}
    aliased = next(
        (f["name"], a["Name"])
        for f in cold["functions"]
        if f["region"] == "eu-west-1" and f["name"] not in public_before
        for a in lam.list_aliases(FunctionName=f["name"])["Aliases"][:1]
    )
    lam.add_permission(
        FunctionName=aliased[0],
        Qualifier=aliased[1],
        StatementId="everyone-alias",
        Action="lambda:InvokeFunction",
        Principal="*",
    )
    via_alias, _ = _scan(own_server, tmp_path)
    assert [
        f for f in via_alias["findings"] if f["resource_name"] == aliased[0] and "public" in f["check_id"]
    ], "a new public grant on an alias must be seen"


def test_cache_file_holds_no_secrets_or_environment_values(own_server: str, tmp_path: Path) -> None:
    _scan(own_server, tmp_path)
    text = (tmp_path / FILE_NAME).read_text()
    data = json.loads(text)
    assert data["format"] == "lambdaops-function-reads" and data["version"] == 1 and data["entries"]
    for secret in (FAKE_SECRET, FAKE_TOKEN):
        assert secret not in text
    # every value of every demo function's environment stays out of it
    lam_values = _environment_values(own_server)
    assert lam_values, "the demo account should have environment variables to check against"
    for value in lam_values:
        assert value not in text
    for entry in data["entries"].values():
        assert set(entry) <= {"revision", "policy", "urls"}


def _environment_values(server: str) -> list[str]:
    client = boto3.client("lambda", region_name="eu-west-1", endpoint_url=server)
    values = []
    for region in ("eu-west-1", "eu-central-1"):
        client = boto3.client("lambda", region_name=region, endpoint_url=server)
        for fn in client.list_functions()["Functions"]:
            values += [
                v for v in ((fn.get("Environment") or {}).get("Variables") or {}).values() if len(v) > 3
            ]
    return values


def test_scan_lists_each_functions_aliases_once(own_server: str, tmp_path: Path) -> None:
    """The resource_policies and versions parts both need aliases and run at the same time: one
    ListAliases per function with a published version, never two (collect.parts.access)."""
    versioned = 0
    for region in ("eu-west-1", "eu-central-1"):
        client = boto3.client("lambda", region_name=region, endpoint_url=own_server)
        listed = client.list_functions(FunctionVersion="ALL")["Functions"]
        versioned += len({f["FunctionName"] for f in listed if f["Version"] != "$LATEST"})
    assert versioned >= 2, "the demo account should have functions with published versions"
    _, calls = _scan(own_server, tmp_path, "--no-cache")
    assert calls["lambda:ListAliases"] == versioned
