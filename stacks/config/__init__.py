"""The user's config file (``infersave.yaml``): ``load_config`` reads it into typed, validated, immutable models.

Each module checks one thing; every problem is reported as ``<field path>: <what is wrong>; <how to fix it>``:

- ``schema``: the models and their field-level checks (pydantic);
- ``neuron_fit``: tensor-parallel degree against NeuronCores, weights against accelerator memory;
- ``neuron_cache``: the configuration is in the Hugging Face Neuron cache for the image's optimum-neuron
  version (or precompiled, or compiled at start-up where that can work), read from the snapshot that
  ``neuron_snapshot`` loads;
- ``containers``: preset rules (gated models need a token, supported precisions);
- ``endpoint_checks``: GPU baseline, name length, off-hours floor;
- ``components``: serving mode (instance or inference components), scale to zero, NeuronCores per copy,
  packing of copies on the instances (each component model also passes ``neuron_fit`` and ``neuron_cache``);
- ``budget_checks``: budget and breach switch; ``limits``: each stack inside CloudFormation's quotas, with
  ``shards`` deciding which endpoint stack holds each endpoint;
- ``regions``: where the resources and images exist;
- ``source``: reading the file (UTF-8, YAML, no repeated keys); ``secrets``: no credentials in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lambdas.common.catalog import Catalog, load_catalog
from stacks.config.budget_checks import budget_problems
from stacks.config.components import component_name_problems, component_problems, model_views
from stacks.config.containers import container_problems
from stacks.config.endpoint_checks import endpoint_problems
from stacks.config.errors import ConfigError, pydantic_problems
from stacks.config.limits import stack_size_problems
from stacks.config.neuron_cache import neuron_cache_problems
from stacks.config.neuron_fit import neuron_problems
from stacks.config.organization import organization_problems
from stacks.config.regions import region_problems
from stacks.config.schema import (
    Alarms,
    Autoscaling,
    AwsEnv,
    Baseline,
    BreachSwitch,
    Budget,
    Calibration,
    ComponentCopies,
    ComponentModel,
    Config,
    Container,
    Endpoint,
    InferenceComponents,
    InstanceCounts,
    OffHours,
    Organization,
    Reports,
    ScaleToZero,
    Timeouts,
)
from stacks.config.source import read_yaml

__all__ = [
    "Alarms",
    "Autoscaling",
    "AwsEnv",
    "Baseline",
    "BreachSwitch",
    "Budget",
    "Calibration",
    "ComponentCopies",
    "ComponentModel",
    "Config",
    "ConfigError",
    "Container",
    "Endpoint",
    "InferenceComponents",
    "InstanceCounts",
    "OffHours",
    "Organization",
    "Reports",
    "ScaleToZero",
    "Timeouts",
    "load_config",
    "parse_config",
    "region_problems",
    "validate",
]


def validate(config: Config, catalog: Catalog, *, neuron_cache: bool = True) -> list[str]:
    """Checks that need the catalog or span fields; returns ``field: message`` lines (empty when it can work).

    ``neuron_cache=False`` skips the Neuron cache check: ``make compile`` builds the artifacts that check asks
    for, so it must read a config whose endpoints are not cached yet."""
    # Without env.region the CDK CLI's region applies: app.py checks it with region_problems once it knows it.
    problems = region_problems(config, config.env.region) if config.env.region else []
    problems += budget_problems(config) + stack_size_problems(config) + component_name_problems(config)
    problems += organization_problems(config, config.env.region)
    for index, endpoint in enumerate(config.endpoints):
        path = f"endpoints[{index}]"
        for model_path, model in model_views(path, endpoint):  # the endpoint's model, then component models
            problems += container_problems(model_path, model)
            fit = neuron_problems(model_path, model, catalog)
            problems += fit
            if not fit and neuron_cache:  # the cache check assumes a valid instance type and TP degree
                problems += neuron_cache_problems(model_path, model, catalog)
        problems += endpoint_problems(path, config, endpoint, catalog)
        problems += component_problems(path, config, endpoint, catalog)
    return problems


def parse_config(
    raw: Any, source: str = "config", catalog: Catalog | None = None, *, neuron_cache: bool = True
) -> Config:
    """Validate raw data (a dict as read from YAML); raises ConfigError listing every problem."""
    if not isinstance(raw, dict):
        raise ConfigError(source, ["(top level): expected a mapping with keys project, endpoints, ..."])
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(source, pydantic_problems(exc)) from None
    problems = validate(config, catalog or load_catalog(), neuron_cache=neuron_cache)
    if problems:
        raise ConfigError(source, problems)
    return config


def load_config(path: Path, *, neuron_cache: bool = True) -> Config:
    """Read and validate the YAML config file at ``path`` (see :mod:`stacks.config.source`); ``neuron_cache``
    as in :func:`validate`."""
    raw, problems = read_yaml(path)
    if problems:
        raise ConfigError(str(path), problems)
    return parse_config(raw, source=str(path), neuron_cache=neuron_cache)
