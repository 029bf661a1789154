"""What IAM's last-accessed data can see: the tracking period, and which actions it reports.

Sources (read 2026-12-06):

* IAM API Reference, GenerateServiceLastAccessedDetails
  (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html):
  "Recent activity usually appears within four hours. IAM reports activity for at least the last 400
  days, or less if your Region began supporting this feature within the last year." The data counts
  every authenticated attempt (denied ones too), and only identity-policy logic decides which services
  are listed (resource policies, SCPs and permissions boundaries are not evaluated).
* IAM User Guide, "IAM action last accessed information services and actions"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed-action-last-accessed.html):
  the services for which IAM reports *actions*, not only the service. The page lists many services
  (it begins access-analyzer, account, acm, ...); lambdaops keeps below only the ones it confirmed and
  whose untracked actions it knows, so every other service is judged at service level, which can only
  keep more, never remove more. Action-level tracking covers management actions only: data-plane
  actions (what CloudTrail records as data events, such as S3's GetObject/PutObject or Lambda's Invoke)
  never appear, so they are never "unused" at action level.

A service listed in the report with no last-used date was not used within the tracking period; a
service the report does not list at all is one the role's policies do not grant (or one IAM does not
track): neither case is read as "unused" unless the service is listed.
"""

from __future__ import annotations

from lambdaops.policy.catalog import resource_types

TRACKING_PERIOD_DAYS = 400  # "at least the last 400 days" (GenerateServiceLastAccessedDetails)
REPORTING_DELAY_HOURS = 4  # "Recent activity usually appears within four hours"

# Services whose actions IAM reports one by one (the action-level page above).
ACTION_LEVEL_SERVICES = frozenset({"s3", "ec2", "iam", "lambda"})

# S3: IAM tracks management actions only. Object-level actions (their resource type is an object) and
# the object listings (ListObjects/ListObjectVersions/ListMultipartUploads/ListParts, authorised by the
# List* actions below) are S3 data events, which IAM never reports per action.
_S3_DATA_RESOURCE_TYPES = frozenset({"object", "accesspointobject"})
_S3_DATA_LISTINGS = frozenset(
    {"listbucket", "listbucketversions", "listbucketmultipartuploads", "listmultipartuploadparts"}
)
# Lambda: invoking a function is a data event (CloudTrail "Logging data events"), not a management one.
_LAMBDA_DATA_ACTIONS = frozenset({"invokefunction", "invokeasync", "invokefunctionurl"})


def action_level(service: str) -> bool:
    """Does IAM report this service's (management) actions one by one?"""
    return service.lower() in ACTION_LEVEL_SERVICES


def action_tracked(action: str) -> bool:
    """Could IAM's action-level report show this action ("s3:createbucket") as used? False for the
    services tracked at service level only and for data-plane actions of action-level services."""
    service, _, name = action.lower().partition(":")
    if not action_level(service) or not name:
        return False
    if service == "s3":
        return name not in _S3_DATA_LISTINGS and not (resource_types("s3", name) & _S3_DATA_RESOURCE_TYPES)
    if service == "lambda":
        return name not in _LAMBDA_DATA_ACTIONS
    return True
