"""`lambdaops audit-iam --demo`: the demo's planted IAM problems are found, grouped by role."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lambdaops.cli.app import app

runner = CliRunner()


def test_demo_findings() -> None:
    result = runner.invoke(app, ["audit-iam", "--demo", "--output", "json"], catch_exceptions=False)
    assert result.exit_code == 3, result.stderr
    data = json.loads(result.stdout)
    by = {(f["check_id"], f["resource_name"]) for f in data["findings"]}
    assert ("iam-admin-access", "legacy-admin-role") in by
    assert ("iam-service-wildcard", "fis-projects-dev-role") in by  # s3:* on arn:aws:s3:::*
    assert ("iam-notaction-allow", "ml-role") in by  # PowerUserAccess
    assert ("iam-passrole-wildcard", "transactions-api-dev-eu-west-1-lambdaRole") in by
    assert ("iam-shared-role", "fis-projects-dev-role") in by
    assert ("lambda-public-url", "digital_logistics_03_fb_webhook") in by
    assert ("lambda-public-invoke", "marketing-signup-form") in by
    # the API Gateway permission pinned by SourceArn is not public
    assert ("lambda-public-invoke", "transactions-api-dev-getpictures") not in by
    assert not any(f["check_id"] == "iam-policy-unparseable" for f in data["findings"])
    admin = next(f for f in data["findings"] if f["check_id"] == "iam-admin-access")
    ev = admin["evidence"]
    assert ev["policy_kind"] == "aws-managed" and ev["policy_name"] == "AdministratorAccess"
    assert ev["role_arn"].endswith(":role/legacy-admin-role")
    assert admin["region"] == "global" and admin["resource_arn"] == ev["role_arn"]
    assert all(fn.startswith("arn:aws:lambda:") for fn in ev["functions"])


def test_table_groups_by_role_and_by_function() -> None:
    by_role = runner.invoke(app, ["audit-iam", "--demo"], catch_exceptions=False)
    assert "role legacy-admin-role: 2 finding(s), worst critical" in by_role.stdout
    by_fn = runner.invoke(app, ["audit-iam", "--demo", "--by", "function"], catch_exceptions=False)
    # one heading format for every function, whether the finding is about its role or itself
    assert "function legacy-cron-cleanup (eu-central-1):" in by_fn.stdout
    assert "function digital_logistics_03_fb_webhook (eu-west-1):" in by_fn.stdout
    headings = [ln for ln in by_fn.stdout.splitlines() if "finding(s), worst" in ln]
    assert headings and all(ln.startswith(("function ", "role ")) for ln in headings)
    bad = runner.invoke(app, ["audit-iam", "--demo", "--by", "policy"])
    assert bad.exit_code == 2 and "--by" in bad.stderr
