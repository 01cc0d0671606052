"""Settings of the capacity recorder, read from the environment once and validated (names the variable on error)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from lambdas.common import env as envvars
from lambdas.common.env import SettingsError

__all__ = ["DEFAULT_MAX_ENDPOINTS", "EVENT_SOURCE", "Settings", "SettingsError"]

#: ``source`` of the schedule's event (``stacks.capacity_recorder``).
EVENT_SOURCE: Final = "infersave.capacity-recorder"

#: Endpoints described per run. A run describes each one (DescribeEndpoint) and each component: 1,000 endpoints
#: is about 1,000 to 2,000 calls, well inside the function's timeout; more is a config to look at, not a load.
DEFAULT_MAX_ENDPOINTS: Final = 1000
MAX_ENDPOINTS_LIMIT: Final = 10_000


@dataclass(frozen=True)
class Settings:
    """``project_name``: the ``infersave:project`` tag value of the endpoints to record; ``max_endpoints``: how many
    are described per run (the rest are counted, logged and left unrecorded)."""

    project_name: str
    max_endpoints: int = DEFAULT_MAX_ENDPOINTS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from ``env`` (``os.environ``); raises SettingsError naming the variable."""
        max_endpoints = envvars.integer(
            env, "MAX_ENDPOINTS", default=DEFAULT_MAX_ENDPOINTS, what="endpoints recorded per run"
        )
        if not 1 <= max_endpoints <= MAX_ENDPOINTS_LIMIT:
            raise SettingsError(f"MAX_ENDPOINTS must be in 1..{MAX_ENDPOINTS_LIMIT}, got {max_endpoints}")
        return cls(project_name=envvars.required(env, "PROJECT_NAME"), max_endpoints=max_endpoints)
