"""`--notify sns=TOPIC_ARN`: the run's message published to an SNS topic."""

from __future__ import annotations

from typing import Any

# Not a change to the audited resources, but a write: only runs that ask for `--notify sns` make it.
WRITE_OPERATIONS = ("sns:Publish",)


def publish(client: Any, topic_arn: str, subject: str, message: str) -> None:
    """Publish once; AWS's refusal propagates (the caller turns it into a warning)."""
    client.publish(TopicArn=topic_arn, Subject=subject, Message=message)
