"""action.yml (the composite GitHub Action) matches docs/ci.md: the inputs the docs' table lists and
the workflow uses are the action's; the steps install, cache, scan, summarise, upload SARIF and the
reports; every `inputs.X` the steps read is declared. PyYAML comes with the dev dependencies (moto's
`responses`); without it the test falls back to a line-based reading of the inputs block."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
CI_DOC = ROOT / "docs" / "ci.md"


def load_action() -> dict[str, Any]:
    text = ACTION.read_text(encoding="utf-8")
    try:
        import yaml
    except ImportError:  # structural fallback: the top-level blocks and the input names
        inputs = re.search(r"^inputs:\n(.*?)^\S", text, re.S | re.M)
        assert inputs is not None
        names = re.findall(r"^  ([a-z][a-z0-9-]*):\s*$", inputs.group(1), re.M)
        return {"inputs": {n: {} for n in names}, "runs": {"using": "composite", "steps": []}, "_text": text}
    data: dict[str, Any] = yaml.safe_load(text)
    data["_text"] = text
    return data


def action_section() -> str:
    doc = CI_DOC.read_text(encoding="utf-8")
    start = doc.index("## GitHub Actions: the lambdaops action")
    end = doc.index("\n## ", start + 5)
    return doc[start:end]


def test_the_docs_table_lists_exactly_the_action_inputs_with_their_defaults() -> None:
    action = load_action()
    rows = re.findall(r"^\| `([a-z-]+)` \|\s*`?([^|`]*?)`?\s*\|", action_section(), re.M)
    documented = {name: default.strip() for name, default in rows}
    assert set(documented) == set(action["inputs"])
    for name, spec in action["inputs"].items():
        if "default" in spec:
            assert documented[name] == str(spec["default"]), name


def test_the_docs_workflow_uses_only_declared_inputs() -> None:
    action = load_action()
    section = action_section()
    block = re.search(r"uses: your-org/lambdaops@v1.*?\n        with:\n(.*?)```", section, re.S)
    assert block is not None
    used = re.findall(r"^          ([a-z-]+):", block.group(1), re.M)
    assert used and set(used) <= set(action["inputs"])
    assert "id-token: write" in section and "configure-aws-credentials" in section  # OIDC


def test_the_composite_steps_do_what_the_docs_say() -> None:
    action = load_action()
    text = action["_text"]
    assert action["runs"]["using"] == "composite"
    for uses in (
        "actions/setup-python@",
        "actions/cache@",
        "github/codeql-action/upload-sarif@",
        "actions/upload-artifact@",
    ):
        assert f"uses: {uses}" in text, uses
    assert "GITHUB_STEP_SUMMARY" in text and 'lambdaops "${args[@]}"' in text
    referenced = set(re.findall(r"inputs\.([a-z][a-z0-9-]*)", text))
    assert referenced <= set(action["inputs"]), referenced - set(action["inputs"])
    # every input reaches the scan through the environment, never pasted into a script
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_the_formats_the_action_knows_are_the_report_formats() -> None:
    from lambdaops.render import REPORT_FORMATS

    text = load_action()["_text"]
    cases = set(re.findall(r"\b([a-z]+)\) ext=", text))
    assert cases == set(REPORT_FORMATS) - {"table"}
