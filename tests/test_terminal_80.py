"""Every command as a user at an 80-column terminal sees it (issue 15, items 1, 2 and 5).

The real process runs on a pseudo-terminal (stdin, stdout and stderr all the terminal, as in a
shell): progress bars draw, prompts ask. The screen must show no progress frame once the report has
started, no identifier (function, role, check id, region) split across lines or truncated, and
`prune --apply` must print its whole plan before it asks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import lambdaops
from lambdaops.checks.registry import all_checks
from lambdaops.demo.seed import FUNCTIONS, REGIONS
from tests.support.terminal import TerminalRun, run_on_terminal

DEMO_OSV = Path(lambdaops.__file__).parent / "demo" / "data" / "osv"  # the bundled OSV export

IDENTIFIERS = frozenset(
    {fn.name for fn in FUNCTIONS} | {fn.role for fn in FUNCTIONS} | set(all_checks()) | set(REGIONS)
)
# whole words of identifiers ("concurrency", "transactions") also occur in prose: not a cut-off piece
SEGMENTS = frozenset(part for ident in IDENTIFIERS for part in re.split(r"[-_]", ident))
# words of the reports' prose that happen to begin an identifier (a command name, "the bill")
PROSE = frozenset({"Lambda", "bill", "billing-alarm"})
# a glob ("lambda-public-*", in a tag suppression warning) is one token, not a cut-off check id
TOKEN = re.compile(r"[A-Za-z0-9_.:/@$*-]+")
# a rich progress frame: its label, or its "done/total elapsed" counter
PROGRESS = re.compile(r"Reading regions|Scanning|\d+/\d+ \d+:\d\d:\d\d")


def split_identifiers(text: str) -> list[str]:
    """Tokens on screen that are a cut-off piece of an identifier: a proper prefix (the fold or the
    ellipsis left the rest elsewhere) that is not itself an identifier."""
    found = []
    for match in TOKEN.finditer(text):
        token = match.group(0)
        if text[match.end() : match.end() + 1] == "*":
            continue  # a glob the user wrote (a lambdaops:ignore tag value), not a cut identifier
        if len(token) < 4 or token in IDENTIFIERS:
            continue
        if token in PROSE:
            continue
        cut = any(ident.startswith(token) and ident != token for ident in IDENTIFIERS)
        if cut and (re.search(r"[-_0-9]", token) or token not in SEGMENTS):
            found.append(token)
    return sorted(set(found))


def report_start(run: TerminalRun, marker: str) -> int:
    index = run.text.find(marker)
    assert index >= 0, f"{marker!r} not on screen:\n{run.text}"
    return index


def assert_clean(run: TerminalRun, marker: str) -> None:
    start = report_start(run, marker)
    after = run.text[start:]
    assert not PROGRESS.search(after), f"a progress frame inside the report:\n{after}"
    # nothing of the bar survives in the raw stream after the report's first line either
    raw_start = run.raw.find(marker)
    assert not PROGRESS.search(run.raw[raw_start:]), "progress drawn after the report began"
    assert split_identifiers(run.text) == [], run.text
    # stderr's one-line messages ("lambdaops: warning: ...") are wrapped by the terminal itself
    report_lines = [line for line in run.text.splitlines() if not line.startswith("lambdaops: ")]
    assert all(len(line) <= 80 for line in report_lines), run.text


CASES = [
    (["list-inactive", "--demo", "--show", "all"], "Functions ("),
    (["audit-concurrency", "--demo"], "Concurrency pools"),
    (["audit-iam", "--demo"], "finding"),
    (["audit-iam", "--demo", "--by", "function"], "finding"),
    (["scan", "--demo"], "finding"),
    (["checks"], "lambda-inactive"),
    (["billing-alarm", "check", "--demo"], "finding"),
    (["prune", "--demo", "--days", "30"], "Prune plan"),
    (["prune-versions", "--demo"], "Prune-versions plan"),
    (["iam-policy"], "Version"),
    (["cost", "--demo"], "Cost per function"),
    (["least-privilege", "--demo"], "Selection:"),
    (["audit-code", "--demo", "--region", "eu-central-1", "--osv-db", str(DEMO_OSV)], "finding"),
]


@pytest.mark.parametrize(("args", "marker"), CASES, ids=[" ".join(a[:2]) for a, _ in CASES])
def test_command_at_80_columns(args: list[str], marker: str) -> None:
    run = run_on_terminal(args, columns=80)
    # prune: 2, the demo's container-image function cannot be archived completely (refused)
    assert run.code in ((2,) if args[0] == "prune" else (0, 3)), run.text
    assert_clean(run, marker)


def test_prune_apply_prints_the_plan_before_the_prompt(tmp_path: object) -> None:
    run = run_on_terminal(
        ["prune", "--demo", "--days", "30", "--apply", "--archive-dir", "archive"],
        columns=80,
        answers={"Proceed? [y/N]:": "n"},
        cwd=str(tmp_path),
    )
    text = run.text
    prompt = text.find("Proceed?")
    plan = text.find("Prune plan: inactive functions")
    assert 0 <= plan < prompt, text
    # the whole plan (every planned function, with why it qualifies) comes before the question
    before = text[:prompt]
    assert "will be archived, then deleted" in before
    assert re.search(r"idle \d+ days \(last invoked \d{4}-\d\d-\d\d\)|no Invocations datapoint", before)
    assert "nothing was changed" in text[prompt:]
    assert not PROGRESS.search(text[plan:]), text
    assert split_identifiers(text) == [], text
    # 2: the demo's container-image function is refused (it cannot be archived completely)
    assert run.code == 2, text
