"""`scan --notify`: one message to Slack / Teams (a local HTTP server on 127.0.0.1 stands in for the
webhook) or SNS (moto); the webhook URL never appears in any output; a failed notification is a
warning in the JSON's `warnings` and never changes the exit code."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.model import FindingStatus, Severity
from lambdaops.render.notify_message import TOP, build_notice, slack_payload, teams_payload
from lambdaops.reports.webhook_post import ATTEMPTS
from tests.render_samples import finding, scan_report
from tests.support.fixtures import serve_locally

SECRET_PATH = "/services/T000/B000/s3cr3tW3bh00kT0k3n"


class Inbox:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.status = 200
        self.headers: dict[str, str] = {}
        # answers for the first posts, in order, before `status`: a status, (status, headers),
        # "reset" (the connection closed without an answer) or ("slow", seconds)
        self.script: list[Any] = []
        self.lock = threading.Lock()


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, str]]:
    box = Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            with box.lock:
                box.posts.append(
                    {
                        "path": self.path,
                        "body": json.loads(self.rfile.read(length)),
                        "type": self.headers["Content-Type"],
                    }
                )
                answer = box.script.pop(0) if box.script else (box.status, box.headers)
            if answer == "reset":
                self.close_connection = True  # no status line at all: the client sees a dropped connection
                return
            if isinstance(answer, tuple) and answer[0] == "slow":
                time.sleep(answer[1])
                answer = 200
            status, headers = answer if isinstance(answer, tuple) else (answer, {})
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (the timeout test)
                self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    with serve_locally(Handler) as base:
        yield box, base + SECRET_PATH


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between attempts, recorded instead of slept (the backoff costs no test time)."""
    from lambdaops.reports import webhook_post

    waited: list[float] = []
    monkeypatch.setattr(webhook_post, "SLEEP", waited.append)
    return waited


def run_scan(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(
        app,
        ["scan", "--demo", "--no-progress", "-o", "json", "--check", "lambda-*", *args],
        env=env,
    )


def no_secret(result: Any) -> None:
    assert "s3cr3tW3bh00kT0k3n" not in result.stdout
    assert "s3cr3tW3bh00kT0k3n" not in result.stderr


def test_slack_gets_one_concise_message(inbox: tuple[Inbox, str]) -> None:
    box, url = inbox
    result = run_scan("--notify", f"slack={url}", "--report-url", "https://ci.example/run/1/report.html")
    assert result.exit_code == 3, result.output
    no_secret(result)
    assert len(box.posts) == 1
    post = box.posts[0]
    assert post["path"] == SECRET_PATH and post["type"] == "application/json"
    text = post["body"]["text"]
    report = json.loads(result.stdout)
    failing = report["summary"]["failing_by_severity"]
    assert f"{sum(failing.values())} failing finding(s)" in text
    assert f"{failing['critical']} critical" in text and f"{failing['high']} high" in text
    assert "Exit status 3" in text
    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(bullets) == TOP  # top 10 of the new (failing) findings, most severe first
    assert bullets[0].startswith("• [critical]")
    assert "<https://ci.example/run/1/report.html|Open the HTML report>" in text
    assert report["warnings"] == [w for w in report["warnings"] if "--notify" not in w]


def test_teams_gets_an_adaptive_card_and_the_kind_alone_reads_the_environment(
    inbox: tuple[Inbox, str],
) -> None:
    box, url = inbox
    result = run_scan("--notify", "teams", env={"LAMBDAOPS_TEAMS_WEBHOOK_URL": url})
    assert result.exit_code == 3, result.output
    no_secret(result)
    card = box.posts[0]["body"]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [b["text"] for b in card["content"]["body"]]
    assert any("failing finding" in t for t in texts) and any("Exit status 3" in t for t in texts)


def notify_warnings(result: Any) -> list[str]:
    return [w for w in json.loads(result.stdout)["warnings"] if w.startswith("--notify")]


def test_a_failed_notification_is_a_warning_and_keeps_the_exit_code(
    inbox: tuple[Inbox, str], sleeps: list[float]
) -> None:
    box, url = inbox
    box.status = 500
    failed = run_scan("--notify", f"slack={url}")
    assert failed.exit_code == 3
    no_secret(failed)
    # 500 every time: exactly ATTEMPTS posts, backing off (doubling, jittered) between them, one warning
    assert len(box.posts) == ATTEMPTS == 3
    assert len(sleeps) == ATTEMPTS - 1 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0
    assert notify_warnings(failed) == [
        "--notify slack: the notification was not sent (HTTP 500, 3 attempts); the exit code is unchanged"
    ]
    assert failed.stderr.count("--notify slack") == 1
    # nobody listening at all: still a warning, still exit 3, and the URL (port, path) not shown
    dead = "http://127.0.0.1:9" + SECRET_PATH
    unreachable = run_scan("--notify", f"slack={dead}", "--fail-on", "none")
    assert unreachable.exit_code == 0
    no_secret(unreachable)
    assert any("--notify slack" in w for w in json.loads(unreachable.stdout)["warnings"])


def test_a_rate_limit_waits_retry_after_and_delivers_once(
    inbox: tuple[Inbox, str], sleeps: list[float]
) -> None:
    box, url = inbox
    box.script = [(429, {"Retry-After": "1"})]
    result = run_scan("--notify", f"slack={url}")
    assert result.exit_code == 3
    no_secret(result)
    assert sleeps == [1.0]  # what Slack asked, not the backoff
    assert (
        len(box.posts) == 2 and box.posts[0]["body"] == box.posts[1]["body"]
    )  # refused once, then delivered
    assert notify_warnings(result) == []


def test_a_client_error_is_not_retried(inbox: tuple[Inbox, str], sleeps: list[float]) -> None:
    box, url = inbox
    box.status = 400
    result = run_scan("--notify", f"teams={url}")
    assert result.exit_code == 3
    no_secret(result)
    assert len(box.posts) == 1 and sleeps == []
    assert notify_warnings(result) == [
        "--notify teams: the notification was not sent (HTTP 400); the exit code is unchanged"
    ]


def test_a_retry_after_beyond_the_cap_is_not_waited_for(
    inbox: tuple[Inbox, str], sleeps: list[float]
) -> None:
    box, url = inbox
    box.status, box.headers = 429, {"Retry-After": "3600"}
    result = run_scan("--notify", f"slack={url}")
    assert result.exit_code == 3
    no_secret(result)
    assert len(box.posts) == 1 and sleeps == []  # a nightly job is not held for an hour
    (warning,) = notify_warnings(result)
    assert "HTTP 429: asked to retry after 3600 s, more than the 10 s lambdaops waits" in warning


def test_a_dropped_connection_and_a_timeout_are_retried(inbox: tuple[Inbox, str]) -> None:
    from lambdaops.reports.webhook_post import post_json

    box, url = inbox
    waited: list[float] = []
    box.script = ["reset", (503, {"Retry-After": "0"})]
    assert post_json(url, {"text": "x"}, sleep=waited.append, jitter=lambda: 1.0) == 3
    assert waited == [1.0, 0.0]  # the backoff after the reset, then the server's Retry-After: 0
    box.script = [("slow", 1.0)]
    assert post_json(url, {"text": "y"}, sleep=waited.append, timeout=0.2) == 2
    assert len(box.posts) == 5


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    from lambdaops.reports.webhook_post import retry_after

    now = datetime(2026, 12, 6, 20, 0, 0, tzinfo=UTC)
    assert retry_after("7") == 7.0
    assert retry_after("Sun, 06 Dec 2026 20:00:05 GMT", now) == 5.0
    assert retry_after("Sun, 06 Dec 2026 19:00:00 GMT", now) == 0.0  # already past
    assert retry_after("soon") is None and retry_after(None) is None and retry_after("-3") is None


def test_sns_publishes_and_a_missing_topic_is_a_warning() -> None:
    result = run_scan("--notify", "sns=arn:aws:sns:eu-west-1:123456789012:no-such-topic")
    assert result.exit_code == 3
    warnings = json.loads(result.stdout)["warnings"]
    assert any(w.startswith("--notify sns: the notification was not sent (NotFound") for w in warnings)


@pytest.mark.parametrize(
    ("spec", "env", "message"),
    [
        ("slack", {}, "--notify slack: no target; pass slack=... or set LAMBDAOPS_SLACK_WEBHOOK_URL"),
        ("pager=x", {}, "--notify: unknown kind 'pager'"),
        ("https://hooks.slack.com" + SECRET_PATH, {}, "--notify: unknown kind;"),
        (
            "slack=ftp://hooks.slack.com" + SECRET_PATH,
            {},
            "--notify slack: the webhook URL must start with https://",
        ),
        ("sns=topic-name", {}, "--notify sns: the target must be an SNS topic ARN"),
    ],
)
def test_bad_targets_are_exit_2_without_the_secret(spec: str, env: dict[str, str], message: str) -> None:
    result = run_scan("--notify", spec, env=env)
    assert result.exit_code == 2
    assert message in result.stderr
    no_secret(result)
    assert "Traceback" not in result.output


def test_new_findings_are_those_not_accepted_and_text_is_escaped() -> None:
    hostile = finding("lambda-inactive", Severity.HIGH, "<!channel> <https://evil.example|click>")
    muted = finding("lambda-inactive", Severity.CRITICAL, "muted-fn", status=FindingStatus.MUTED)
    report = scan_report([hostile, muted], [])
    notice = build_notice(report, 3)
    assert [f.resource_name for f in notice.new] == [hostile.resource_name]
    text = slack_payload(notice)["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<https://evil" not in text
    link = finding("lambda-inactive", Severity.HIGH, "[x](https://evil.example)")
    card = teams_payload(build_notice(scan_report([link], []), 3))["attachments"][0]["content"]
    lines = [b["text"] for b in card["body"]]
    assert any("\\[x\\]\\(https://evil.example\\)" in t for t in lines)  # card markdown escaped


def test_new_since_previous_report(tmp_path: Path, inbox: tuple[Inbox, str]) -> None:
    box, url = inbox
    first = run_scan()
    assert first.exit_code == 3
    previous = tmp_path / "previous.json"
    data = json.loads(first.stdout)
    data["findings"] = [f for f in data["findings"] if f["check_id"] != "lambda-public-url"]
    previous.write_text(json.dumps(data), encoding="utf-8")
    result = run_scan("--previous", str(previous), "--notify", f"slack={url}")
    assert result.exit_code == 3
    text = box.posts[0]["body"]["text"]
    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    assert bullets and all("lambda-public-url" in b for b in bullets)
    assert "since the report of" in text


def test_sns_publish_goes_to_the_topic() -> None:
    import boto3
    from moto import mock_aws

    from lambdaops.collect.context import Account, AwsContext
    from lambdaops.reports.notify import Target, send_all

    with mock_aws():
        sns = boto3.client("sns", region_name="eu-west-1")
        sqs = boto3.client("sqs", region_name="eu-west-1")
        topic = sns.create_topic(Name="lambdaops-nightly")["TopicArn"]
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
        )
        ctx = AwsContext(
            accounts=[Account("123456789012", boto3.Session(region_name="eu-west-1"))], workers=1
        )
        warnings = send_all([Target("sns", topic)], scan_report(), 3, None, ctx)
        assert warnings == []
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)["Messages"]
        assert "failing finding(s)" in messages[0]["Body"] and "Exit status 3" in messages[0]["Body"]
