"""Calibrating an inference-component endpoint (``serving: inference_component``): which component is measured,
its copies brought up from zero before the measurement, and its throughput per instance.

- InvokeEndpoint on such an endpoint needs ``InferenceComponentName`` (AWS answers ``ValidationError`` "Inference
  Component Name header is required ..." without it); the component measured is the endpoint's own model's
  (named like the endpoint: ``stacks.config.components.component_name``), the model the baseline stack serves.
- A component scaled to zero answers every request with ``ValidationError`` "Inference Component has no capacity
  ..." until a copy has started (minutes: SageMaker developer guide, "Scale an endpoint to zero instances": "the
  provisioning process takes several minutes"). :func:`warm_up` asks for one copy with
  UpdateInferenceComponentRuntimeConfig (API reference: ``DesiredRuntimeConfig.CopyCount``) rather than sending
  a request: a refused request would count in ``NoCapacityInvocationFailures``, which the cost report reads as a
  cold start of the endpoint's traffic. It then polls DescribeInferenceComponent until ``InService`` with
  ``RuntimeConfig.CurrentCopyCount`` >= 1, within a bound; that time is reported, never measured. Application
  Auto Scaling keeps managing the copy count afterwards (scale-in after the idle period takes it back to zero).
- Per instance: a copy holds ``NumberOfAcceleratorDevicesRequired`` chips, so an instance holds
  ``copies_per_instance`` copies of the model (``stacks.config.components``). The load generator divides by the
  copies serving expressed in instances (copies / copies per instance), so every rate in ``calibration.json``
  stays per instance, as ``baseline.capacity_ratio`` is (baseline instances per Inferentia2 instance). That
  assumes the copies on one instance do not slow each other: each has its own chips and its reserved share of
  the host's CPU cores and memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from lambdas.common.catalog import load_catalog
from lambdas.common.retry import call_with_backoff, describe_error
from stacks.config import Endpoint
from stacks.config.components import component_name, copies_per_instance

#: Polling DescribeInferenceComponent while a copy starts: first after 15 s (0 locally), then up to 60 s apart.
POLL_FIRST_S, POLL_MAX_S = 15.0, 60.0
#: Default bound on bringing a component up from zero copies (minutes): an instance start plus the model's load
#: (about 10 minutes in the one GPU measurement we have; Neuron loads of large models take longer).
WARM_UP_LIMIT_MIN = 30.0


class WarmUpError(RuntimeError):
    """The component could not be brought to one serving copy; the message names it."""


@dataclass(frozen=True)
class WarmUp:
    """The component as measured: its copies serving, and the seconds spent bringing it up from zero copies
    (None when it had copies: nothing was waited for)."""

    name: str
    copies: int
    warm_up_s: float | None


def measured_component(endpoint: Endpoint, endpoint_name: str) -> str:
    """The component of the endpoint's own model (the baseline stack serves that model)."""
    return component_name(endpoint_name, endpoint, endpoint)


def per_instance(endpoint: Endpoint) -> int:
    """Copies of the endpoint's own model one instance of its type holds."""
    spec = load_catalog().instances[endpoint.instance_type]
    return copies_per_instance(spec, endpoint.tensor_parallel_degree)


def _describe(sagemaker: Any, name: str) -> dict[str, Any]:
    try:
        answer: dict[str, Any] = call_with_backoff(
            partial(sagemaker.describe_inference_component, InferenceComponentName=name)
        )
    except ClientError as exc:
        raise WarmUpError(f"DescribeInferenceComponent {name}: {describe_error(exc)}") from None
    return answer


def warm_up(
    sagemaker: Any,
    name: str,
    *,
    local: bool,
    limit_s: float = WARM_UP_LIMIT_MIN * 60,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> WarmUp:
    """Bring component ``name`` to at least one serving copy (see the module doc); WarmUpError when it fails or
    is not serving within ``limit_s`` seconds."""
    started = clock()
    asked = False
    delay = 0.0 if local else POLL_FIRST_S
    while True:
        component = _describe(sagemaker, name)
        status = component.get("InferenceComponentStatus")
        copies = int((component.get("RuntimeConfig") or {}).get("CurrentCopyCount") or 0)
        if status == "Failed":
            reason = component.get("FailureReason", "no reason given")
            raise WarmUpError(f"inference component {name} is Failed: {reason}")
        if status == "InService" and copies >= 1:
            return WarmUp(name, copies, clock() - started if asked else None)
        desired = int((component.get("RuntimeConfig") or {}).get("DesiredCopyCount") or 0)
        if status == "InService" and desired == 0 and not asked:
            try:
                call_with_backoff(
                    partial(
                        sagemaker.update_inference_component_runtime_config,
                        InferenceComponentName=name,
                        DesiredRuntimeConfig={"CopyCount": 1},
                    )
                )
            except ClientError as exc:
                raise WarmUpError(
                    f"UpdateInferenceComponentRuntimeConfig {name} (one copy, to measure it): {describe_error(exc)}"
                ) from None
            print(f"  {name} is at zero copies: asked for one copy (not measured) ...", flush=True)
        # Also when a scale-out was under way: the time until a copy serves is the warm-up's.
        asked = asked or copies == 0
        if clock() - started > limit_s:
            raise WarmUpError(
                f"inference component {name} still {status} with {copies} copies after {limit_s / 60:.0f} minutes; "
                "see its log group /aws/sagemaker/InferenceComponents/" + name
            )
        delay = max(delay, 1.0)
        sleep(delay)
        delay = min(delay * 2, POLL_MAX_S)


def copies_now(sagemaker: Any, name: str) -> int:
    """The component's CurrentCopyCount (to note autoscaling during the measurement)."""
    return int((_describe(sagemaker, name).get("RuntimeConfig") or {}).get("CurrentCopyCount") or 0)
