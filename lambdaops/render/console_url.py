"""A link to a finding's resource in the AWS Management Console, built from its ARN (no AWS call).

The forms (docs/console-links.md lists them; read in the console on 2026-12-06, the hash routes are
what the console's own address bar shows for each page):

- Lambda function  https://REGION.console.aws.amazon.com/lambda/home?region=REGION#/functions/NAME
- Lambda account/region (a scope ARN ending in ":")  .../lambda/home?region=REGION#/dashboard
- IAM role         https://console.aws.amazon.com/iam/home#/roles/details/NAME
- IAM policy       https://console.aws.amazon.com/iam/home#/policies/details/ARN (ARN URL-encoded)
- CloudWatch alarm https://REGION.console.aws.amazon.com/cloudwatch/home?region=REGION#alarmsV2:alarm/NAME
- CloudWatch scope (billing findings)  .../cloudwatch/home?region=us-east-1#alarmsV2:
- SNS topic        https://REGION.console.aws.amazon.com/sns/v3/home?region=REGION#/topic/ARN

Other partitions use their own console host (aws-cn: console.amazonaws.cn, aws-us-gov:
console.amazonaws-us-gov.com). An ARN of another service, or one that does not parse, has no link.
"""

from __future__ import annotations

from urllib.parse import quote

_HOSTS = {
    "aws": "console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}


def _regional(partition: str, region: str, path: str) -> str:
    region = quote(region, safe="")  # an ARN read from a report could carry anything
    return f"https://{region}.{_HOSTS[partition]}/{path}?region={region}"


def console_url(arn: str) -> str | None:
    """The console page of the resource `arn`, or None when there is no sensible one."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[1] not in _HOSTS:
        return None
    _, partition, service, region, _account, resource = parts
    if service == "iam":
        kind, _, rest = resource.partition("/")
        if kind == "role" and rest:
            name = rest.rsplit("/", 1)[-1]  # the console's route takes the name, not the path
            return f"https://{_HOSTS[partition]}/iam/home#/roles/details/{quote(name, safe='')}"
        if kind == "policy" and rest:
            return f"https://{_HOSTS[partition]}/iam/home#/policies/details/{quote(arn, safe='')}"
        return None
    if not region:
        return None
    if service == "lambda":
        if resource.startswith("function:"):
            name = resource.split(":")[1]
            return _regional(partition, region, "lambda/home") + f"#/functions/{quote(name, safe='')}"
        if resource == "":
            return _regional(partition, region, "lambda/home") + "#/dashboard"
        return None
    if service == "cloudwatch":
        if resource.startswith("alarm:"):
            name = resource.partition(":")[2]
            return _regional(partition, region, "cloudwatch/home") + f"#alarmsV2:alarm/{quote(name, safe='')}"
        if resource == "":
            return _regional(partition, region, "cloudwatch/home") + "#alarmsV2:"
        return None
    if service == "sns" and resource:
        return _regional(partition, region, "sns/v3/home") + f"#/topic/{quote(arn, safe='')}"
    return None
