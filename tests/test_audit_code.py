"""`lambdaops audit-code` end to end on an emulated account holding real packages.

Functions carry real zips (Python with dist-info, Node with package-lock and node_modules, a Java
function with jars holding pom.properties) and a layer; a small OSV export (per-ecosystem zips, as
OSV publishes them) holds advisories for some of those versions and near misses for others.
audit-code must find exactly the expected advisories, with the right fixed versions, whether it reads
the export or OSV's API (a server on 127.0.0.1); identical packages are downloaded once, and not at
all on the next run (cache).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.collect.code import osv_sources
from lambdaops.demo import code_packages as cp
from tests.prune_support import REGION, Account, account
from tests.support.fixtures import send_json, serve_locally

__all__ = ["account"]
runner = CliRunner()

EXPECTED = {  # (advisory, package, version) -> fixed versions
    ("GHSA-x84v-xcm2-53pg", "requests", "2.19.0"): ["2.20.0"],
    ("GHSA-q2q7-5pp4-w6pg", "urllib3", "1.26.4"): ["1.26.5"],
    ("GHSA-8q59-q68h-6hv4", "pyyaml", "5.3.1"): ["5.4"],
    ("GHSA-p6mc-m468-83gw", "lodash", "4.17.15"): ["4.17.19"],
    ("GHSA-35jh-r3h4-6jhm", "lodash", "4.17.15"): ["4.17.21"],
    ("GHSA-mph4-vhrx-mv67", "com.fasterxml.jackson.core:jackson-databind", "2.9.8"): ["2.9.9.1"],
    ("GHSA-599f-7c49-w659", "org.apache.commons:commons-text", "1.9"): ["1.10.0"],
}


def records() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(cp.OSV_EXPORT.glob("*.json"))]


@pytest.fixture
def osv_export(tmp_path: Path) -> Path:
    """The export laid out as OSV publishes it: <Ecosystem>/all.zip of <id>.json records."""
    root = tmp_path / "osv"
    by_eco: dict[str, list[dict[str, Any]]] = {}
    for rec in records():
        by_eco.setdefault(rec["affected"][0]["package"]["ecosystem"], []).append(rec)
    for eco, recs in by_eco.items():
        (root / eco).mkdir(parents=True)
        with zipfile.ZipFile(root / eco / "all.zip", "w") as zf:
            for rec in recs:
                zf.writestr(f"{rec['id']}.json", json.dumps(rec))
    return root


@pytest.fixture
def code_account(account: Account) -> Account:
    layer = account.lam.publish_layer_version(
        LayerName="yaml-layer", Content={"ZipFile": cp.python_layer()}, CompatibleRuntimes=["python3.12"]
    )["LayerVersionArn"]
    specs = (
        ("orders", "python3.12", cp.python_app(), [layer]),
        ("orders-copy", "python3.12", cp.python_app(), [layer]),  # the same package: read once
        ("web", "nodejs20.x", cp.node_app(), []),
        ("batch", "java21", cp.java_app(), []),
        ("plain", "python3.12", cp.build_zip({"handler.py": "def handler(e, c):\n    return 1\n"}), []),
    )
    for name, runtime, package, layers in specs:
        account.lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=account.role_arn,
            Handler="handler.handler",
            Code={"ZipFile": package},
            Layers=layers,
        )
    account.lam.publish_version(FunctionName="orders")
    account.lam.create_alias(FunctionName="orders", Name="live", FunctionVersion="1")
    return account


def audit(*args: str) -> tuple[int, dict[str, Any], str]:
    result = runner.invoke(
        app, ["audit-code", "--region", REGION, "--output", "json", *args], catch_exceptions=False
    )
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}, result.stderr


def vulns(report: dict[str, Any]) -> dict[tuple[str, str, str], list[str]]:
    found = [f for f in report["findings"] if f["check_id"] == "code-vulnerable-dependency"]
    out = {(f["evidence"]["advisory"], f["evidence"]["package"], f["evidence"]["version"]): f for f in found}
    assert len(out) == len(found), "one finding per (advisory, package, version) in an account"
    return {k: v["evidence"]["fixed_versions"] for k, v in out.items()}


def test_offline_export_finds_exactly_the_known_advisories(code_account: Account, osv_export: Path) -> None:
    code, report, stderr = audit("--osv-db", str(osv_export))
    assert code == 3, stderr  # high and critical advisories fail the default --fail-on high
    assert report["errors"] == []
    assert vulns(report) == EXPECTED  # and no others: withdrawn, fixed-already and older ranges miss
    requests = next(f for f in report["findings"] if f["evidence"].get("package") == "requests")
    # one finding lists every function version carrying the package
    assert requests["evidence"]["functions"] == ["orders-copy:$LATEST", "orders:$LATEST", "orders:1"]
    assert requests["resource_arn"] == "arn:aws:lambda::123456789012:" and requests["region"] == "global"
    assert requests["resource_name"] == "requests 2.19.0"
    assert requests["evidence"]["purl"] == "pkg:pypi/requests@2.19.0"
    assert requests["evidence"]["aliases"] == ["CVE-2018-18074"] and requests["severity"] == "medium"
    yaml = next(f for f in report["findings"] if f["evidence"].get("package") == "pyyaml")
    assert yaml["evidence"]["layers"] == [
        code_account.lam.list_layer_versions(LayerName="yaml-layer")["LayerVersions"][0]["LayerVersionArn"]
    ]
    summary = report["code"]
    # 6 function versions (orders:1 shares $LATEST's package) and one layer: 5 distinct packages
    assert summary["function_versions"] == 6 and summary["layer_versions"] == 1
    assert summary["downloads"] == 5 and summary["packages"] == 5
    secrets = [f for f in report["findings"] if f["check_id"] == "code-secret"]
    assert {f["resource_name"] for f in secrets} == {"orders", "orders-copy"}
    assert cp.EXAMPLE_KEY_ID not in json.dumps(report)
    bloat = {f["resource_name"]: f for f in report["findings"] if f["check_id"] == "code-package-bloat"}
    assert set(bloat) == {"orders", "orders-copy", "web"}  # boto3/botocore on python, @aws-sdk on node20
    assert bloat["web"]["evidence"]["runtime_provided_sdks"][0]["sdk"] == "@aws-sdk"

    again_code, again, _ = audit("--osv-db", str(osv_export))  # the package cache of the first run
    assert again_code == 3 and vulns(again) == EXPECTED
    assert again["code"]["downloads"] == 0 and again["code"]["cache_hits"] == 5
    _, fresh, _ = audit("--osv-db", str(osv_export), "--no-cache")
    assert fresh["code"]["downloads"] == 5 and vulns(fresh) == EXPECTED


class _Osv(BaseHTTPRequestHandler):
    """OSV's API as the documentation describes it: querybatch answers ids only, paged; vulns/{id}
    answers the record."""

    queries: list[dict[str, Any]] = []
    # Failures answered to querybatch before the real answers, one a request: (status, headers);
    # "forever" answers 500 to every request.
    faults: list[Any] = []

    def _send(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
        send_json(self, code, body, headers)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        faults = type(self).faults
        if faults:
            status, headers = (500, {}) if faults[0] == "forever" else faults.pop(0)
            self._send(status, {"code": status, "message": "scripted"}, headers)
            return
        results = []
        for query in body["queries"]:
            type(self).queries.append(query)
            ids = [
                r["id"]
                for r in records()
                if r["affected"][0]["package"]["name"].lower() == query["package"]["name"]
                and r["affected"][0]["package"]["ecosystem"] == query["package"]["ecosystem"]
            ]
            # the second page of lodash's answer comes with a token, as OSV pages long answers
            if query["package"]["name"] == "lodash" and not query.get("page_token"):
                results.append({"vulns": [{"id": ids[0]}], "next_page_token": "p2"})
            elif query.get("page_token"):
                results.append({"vulns": [{"id": i} for i in ids[1:]]})
            else:
                results.append({"vulns": [{"id": i} for i in ids]} if ids else {})
        self._send(200, {"results": results})

    def do_GET(self) -> None:
        wanted = self.path.rsplit("/", 1)[-1]
        found = [r for r in records() if r["id"] == wanted]
        self._send(200 if found else 404, found[0] if found else {"message": "not found"})

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def osv_server() -> Iterator[str]:
    _Osv.queries = []
    _Osv.faults = []
    with serve_locally(_Osv) as url:
        yield url


@pytest.fixture(autouse=True)
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """OSV's retries wait on a list, not the clock (the backoff at its low end: no jitter)."""
    waits: list[float] = []
    monkeypatch.setattr(osv_sources, "RETRY", osv_sources.Retry(sleep=waits.append, jitter=lambda: 0.0))
    return waits


def test_online_querybatch_finds_the_same(code_account: Account, osv_server: str) -> None:
    code, report, stderr = audit("--osv-url", osv_server)
    assert code == 3, stderr
    assert vulns(report) == EXPECTED
    assert report["code"]["osv_source"] == "OSV API"
    paged = [q for q in _Osv.queries if q.get("page_token")]
    assert paged == [
        {"package": {"ecosystem": "npm", "name": "lodash"}, "version": "4.17.15", "page_token": "p2"}
    ]


def test_scan_with_code_takes_the_osv_url_too(code_account: Account, osv_server: str) -> None:
    result = runner.invoke(
        app,
        ["scan", "--region", REGION, "-o", "json", "--with-code", "--osv-url", osv_server],
        catch_exceptions=False,
    )
    report = json.loads(result.stdout)
    assert vulns(report) == EXPECTED, result.stderr
    assert report["code"]["osv_source"] == "OSV API"
    bad = runner.invoke(app, ["scan", "--demo", "--with-code", "--osv-url", "ftp://osv.example.com"])
    assert bad.exit_code == 2 and "--osv-url" in bad.stderr


def test_osv_unreachable_is_an_incomplete_run(code_account: Account) -> None:
    code, report, _ = audit("--osv-url", "http://127.0.0.1:9")  # nothing listens on the discard port
    assert code == 4
    assert any(e["operation"] == "osv:QueryBatch" for e in report["errors"])
    assert not any(f["check_id"] == "code-vulnerable-dependency" for f in report["findings"])


def checks_summary(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["check_id"]: c for c in report["summary"]["checks"]}


def test_osv_503_then_200_finds_the_advisories(
    code_account: Account, osv_server: str, slept: list[float]
) -> None:
    _Osv.faults = [(503, {})]
    code, report, stderr = audit("--osv-url", osv_server)
    assert code == 3, stderr
    assert report["errors"] == [] and vulns(report) == EXPECTED
    assert slept == [0.5]  # one retry, after the first backoff


def test_osv_429_retry_after_is_honoured(code_account: Account, osv_server: str, slept: list[float]) -> None:
    _Osv.faults = [(429, {"Retry-After": "3"}), (429, {"Retry-After": "86400"})]
    code, report, stderr = audit("--osv-url", osv_server)
    assert code == 3, stderr
    assert report["errors"] == [] and vulns(report) == EXPECTED
    assert slept == [3.0, 60.0]  # what OSV asked, then capped: a nightly job ends in bounded time


def test_osv_500_forever_is_a_gap_never_clean(
    code_account: Account, osv_server: str, slept: list[float]
) -> None:
    _Osv.faults = ["forever"]
    code, report, _ = audit("--osv-url", osv_server)
    assert code == 4
    (error,) = [e for e in report["errors"] if e["operation"] == "osv:QueryBatch"]
    assert error["message"].startswith("OSV answered HTTP 500") and "tried 5 times" in error["message"]
    # the packages left unread are counted and named (the first five)
    assert "the advisories of 11 package version(s) (" in error["message"]
    assert "lodash 4.17.15" in error["message"] and "and 6 more) were not read" in error["message"]
    assert len(slept) == 4  # bounded: five tries in all
    assert not any(f["check_id"] == "code-vulnerable-dependency" for f in report["findings"])
    vulnerable = checks_summary(report)["code-vulnerable-dependency"]
    # only `plain` counts (it carries no dependency, so nothing was left unread); no other passes
    assert vulnerable["checked"] == 1 and vulnerable["passed"] == 1
    assert checks_summary(report)["code-package-bloat"]["checked"] == 5  # the packages were read


def test_image_functions_are_listed_not_scanned_and_never_passed(
    code_account: Account, osv_export: Path
) -> None:
    code_account.lam.create_function(
        FunctionName="renderer",
        Role=code_account.role_arn,
        PackageType="Image",
        Code={"ImageUri": f"123456789012.dkr.ecr.{REGION}.amazonaws.com/renderer:latest"},
    )
    code, report, stderr = audit("--osv-db", str(osv_export))
    assert code == 3, stderr
    (row,) = report["code"]["not_scanned"]
    assert row["function"] == "renderer" and row["qualifier"] == "$LATEST" and row["package_type"] == "Image"
    assert "container image" in row["reason"] and "Amazon Inspector" in row["reason"]
    summary = checks_summary(report)
    # six functions in scope, five read: the image is neither checked nor passed
    assert {
        summary[c]["checked"] for c in ("code-vulnerable-dependency", "code-package-bloat", "code-secret")
    } == {5}
    # orders, orders-copy, web and batch carry advisories: only plain passes
    assert summary["code-vulnerable-dependency"]["passed"] == 1
    table = runner.invoke(app, ["audit-code", "--region", REGION, "--osv-db", str(osv_export)])
    assert "Not scanned (1)" in table.stdout and "renderer:$LATEST" in table.stdout
    assert "Amazon Inspector" in table.stdout
    markdown = runner.invoke(
        app, ["audit-code", "--region", REGION, "--osv-db", str(osv_export), "-o", "markdown"]
    )
    assert "### Not scanned (1)" in markdown.stdout and "does not mean clean" in markdown.stdout
    scanned = runner.invoke(
        app, ["scan", "--region", REGION, "-o", "json", "--with-code", "--osv-db", str(osv_export)]
    )
    assert [r["function"] for r in json.loads(scanned.stdout)["code"]["not_scanned"]] == ["renderer"]


def test_osv_source_from_the_config_and_the_environment(
    code_account: Account, osv_export: Path, osv_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "lambdaops.toml"
    cfg.write_text(f'osv_db = "{osv_export}"\n')
    code, report, stderr = audit("--config", str(cfg))
    assert code == 3, stderr
    assert report["code"]["osv_source"] == "offline export" and vulns(report) == EXPECTED
    assert _Osv.queries == []
    monkeypatch.setenv("LAMBDAOPS_OSV_URL", osv_server)
    code, report, stderr = audit()
    assert code == 3, stderr
    assert report["code"]["osv_source"] == "OSV API" and vulns(report) == EXPECTED
    assert _Osv.queries  # the API named by the environment was asked


def test_sbom_per_function_version(code_account: Account, osv_export: Path, tmp_path: Path) -> None:
    out = tmp_path / "sbom"
    code, _, stderr = audit("--osv-db", str(osv_export), "--sbom", str(out))
    assert code == 3, stderr
    names = sorted(p.name for p in out.iterdir())
    assert f"123456789012_{REGION}_orders_1.cdx.json" in names and len(names) == 6
    doc = json.loads((out / f"123456789012_{REGION}_orders_LATEST.cdx.json").read_text())
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    purls = {c["purl"] for c in doc["components"]}
    # the function's own dependencies and its layer's
    assert {"pkg:pypi/requests@2.19.0", "pkg:pypi/urllib3@1.26.4", "pkg:pypi/pyyaml@5.3.1"} <= purls
    assert doc["metadata"]["component"]["bom-ref"].endswith(":function:orders:$LATEST")


def test_bad_flags_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["audit-code", "--demo", "--osv-db", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "--osv-db" in missing.stderr
    plain = runner.invoke(app, ["audit-code", "--demo", "--osv-url", "http://osv.example.com"])
    assert plain.exit_code == 2 and "--osv-url" in plain.stderr


def test_demo_shows_findings_with_the_bundled_export() -> None:
    result = runner.invoke(
        app,
        ["audit-code", "--demo", "--region", "eu-central-1", "--osv-db", str(cp.OSV_EXPORT), "-o", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 3, result.stderr
    report = json.loads(result.stdout)
    assert len(vulns(report)) == 7 and report["errors"] == []


def test_iam_policy_covers_the_new_reads() -> None:
    result = runner.invoke(app, ["iam-policy", "-o", "json"], catch_exceptions=False)
    actions = {a for s in json.loads(result.stdout)["Statement"] for a in s["Action"]}
    assert {"lambda:GetFunction", "lambda:GetLayerVersion"} <= actions


def test_scan_runs_code_checks_only_with_code(code_account: Account, osv_export: Path) -> None:
    base = ["scan", "--region", REGION, "-o", "json"]
    without = runner.invoke(app, base, catch_exceptions=False)
    assert not any(f["check_id"].startswith("code-") for f in json.loads(without.stdout)["findings"])
    asked = runner.invoke(app, [*base, "--check", "code-*"])
    assert asked.exit_code == 2 and "--with-code" in asked.stderr
    both = runner.invoke(app, [*base, "--with-code", "--osv-db", str(osv_export)], catch_exceptions=False)
    assert vulns(json.loads(both.stdout)) == EXPECTED


def test_the_bytes_are_stated_before_downloading_on_a_terminal(
    code_account: Account, osv_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lambdaops.cli.runner as cli_runner

    monkeypatch.setattr(cli_runner, "stderr_is_tty", lambda: True)
    code, _, stderr = audit("--osv-db", str(osv_export), "--no-progress")
    assert code == 3
    stated = [ln for ln in stderr.splitlines() if "to download" in ln]
    assert len(stated) == 1 and f"123456789012 {REGION}: reading the code of 5 function(s)" in stated[0]
    assert "(and those of their 1 published versions" in stated[0] and "MB to download" in stated[0]
    monkeypatch.setattr(cli_runner, "stderr_is_tty", lambda: False)
    _, _, piped = audit("--osv-db", str(osv_export))
    assert "to download" not in piped  # piped (the nightly job): silent
