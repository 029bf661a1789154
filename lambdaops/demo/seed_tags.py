"""Demo: `lambdaops:ignore` tags, one obeyed and one that tries to switch the gate off.

- `image-thumbnail-legacy` opts out of `lambda-concurrency-zero` (medium): muted, and the report says
  by which tag on which function;
- `marketing-signup-form`, invokable by anyone, carries a tag asking to ignore its critical and high
  findings: whoever can tag a function must not be able to silence that, so the findings keep failing
  and `scan` warns that the tag was not obeyed (lambdaops.toml `tag_suppressions_max_severity`).
"""

from __future__ import annotations

from typing import Any

IGNORE_TAGS = {
    ("eu-central-1", "image-thumbnail-legacy"): "lambda-concurrency-zero",
    ("eu-west-1", "marketing-signup-form"): "lambda-public-* lambda-no-concurrency-limit",
}


def seed_ignore_tags(session: Any) -> None:
    for (region, name), value in IGNORE_TAGS.items():
        client = session.client("lambda", region_name=region)
        arn = client.get_function_configuration(FunctionName=name)["FunctionArn"]
        client.tag_resource(Resource=arn, Tags={"lambdaops:ignore": value})
