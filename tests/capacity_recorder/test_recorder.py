"""The recorder against moto with the emulator: what a run writes, and how it fails without losing the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.lambda_child import LambdaContext
from lambdas.capacity_recorder import handler
from lambdas.capacity_recorder.publish import put_samples
from lambdas.capacity_recorder.series import VariantSample, metric_data
from lambdas.capacity_recorder.service import record
from lambdas.capacity_recorder.settings import Settings
from tests.capacity_recorder.conftest import AT, PROJECT, World

SETTINGS = Settings(project_name=PROJECT)


def _endpoint(name: str) -> dict[str, str]:
    return {"EndpointName": name, "VariantName": "AllTraffic"}


def _component(endpoint: str, component: str) -> dict[str, str]:
    return {"EndpointName": endpoint, "InferenceComponentName": component}


def _value(world: World, metric: str, dimensions: dict[str, str]) -> tuple[float, float]:
    """(SampleCount, Average) of the sample minute."""
    (point,) = world.samples(metric, dimensions, AT)
    return point["SampleCount"], point["Average"]


def test_a_run_writes_every_series_of_the_project_zeros_included(world: World) -> None:
    world.instance_endpoint("demo-chat", instances=2)
    # ml.inf2.24xlarge has 6 chips: 2 copies of 2 chips and 1 copy of 1 chip fit on one instance.
    world.component_endpoint("demo-shared", {"demo-shared": (2, 2), "demo-shared-small": (1, 1)})
    world.component_endpoint("demo-idle", {"demo-idle": (0, 1)})
    world.instance_endpoint("other-chat", project="other")

    run = record(world.clients, SETTINGS, AT)

    assert run.problems == [] and run.over_cap == [] and run.gone == []
    assert (run.endpoints_recorded, run.variants, run.components) == (3, 3, 3)
    assert run.samples_written == 3 + 2 * 3
    assert _value(world, "InstanceCount", _endpoint("demo-chat")) == (1, 2)
    assert _value(world, "InstanceCount", _endpoint("demo-shared")) == (1, 1)
    assert _value(world, "InstanceCount", _endpoint("demo-idle")) == (1, 0), "scaled to zero: a 0 sample"
    assert _value(world, "CopyCount", _component("demo-shared", "demo-shared")) == (1, 2)
    assert _value(world, "AcceleratorDevicesAllocated", _component("demo-shared", "demo-shared")) == (1, 4)
    assert _value(world, "AcceleratorDevicesAllocated", _component("demo-shared", "demo-shared-small")) == (
        1,
        1,
    )
    assert _value(world, "CopyCount", _component("demo-idle", "demo-idle")) == (1, 0)
    assert world.samples("InstanceCount", _endpoint("other-chat"), AT) == [], "another project's endpoint"


def _failing(original: Callable[..., Any], fail_for: str, code: str, message: str) -> Callable[..., Any]:
    def call(**kwargs: Any) -> Any:
        if fail_for in kwargs.values():
            raise ClientError({"Error": {"Code": code, "Message": message}}, "Describe")
        return original(**kwargs)

    return call


def test_one_endpoint_failing_loses_only_its_own_samples(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.instance_endpoint("demo-a")
    world.component_endpoint("demo-b", {"demo-b": (1, 1)})
    world.instance_endpoint("demo-c")
    sagemaker = world.clients.sagemaker
    monkeypatch.setattr(
        sagemaker,
        "describe_endpoint",
        _failing(sagemaker.describe_endpoint, "demo-b", "AccessDeniedException", "no"),
    )

    run = record(world.clients, SETTINGS, AT)

    assert [str(p) for p in run.problems] == [
        "endpoint demo-b: An error occurred (AccessDeniedException) when calling the Describe operation: no"
    ]
    assert _value(world, "InstanceCount", _endpoint("demo-a")) == (1, 2)
    assert _value(world, "InstanceCount", _endpoint("demo-c")) == (1, 2)
    assert world.samples("InstanceCount", _endpoint("demo-b"), AT) == []
    assert _value(world, "CopyCount", _component("demo-b", "demo-b")) == (1, 1), "its components still read"


def test_a_component_deleted_since_the_listing_is_gone_not_a_failure(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.component_endpoint("demo-b", {"demo-b": (1, 1), "demo-b-x": (1, 1)})
    sagemaker = world.clients.sagemaker
    monkeypatch.setattr(
        sagemaker,
        "describe_inference_component",
        _failing(
            sagemaker.describe_inference_component,
            "demo-b-x",
            "ValidationException",
            "Could not find inference component 'arn:aws:sagemaker:us-east-1:123456789012:inference-component/demo-b-x'.",
        ),
    )
    run = record(world.clients, SETTINGS, AT)
    assert run.problems == []
    assert run.gone == ["inference component demo-b-x (endpoint demo-b)"]
    assert _value(world, "CopyCount", _component("demo-b", "demo-b")) == (1, 1)


def test_endpoints_past_the_cap_are_counted_not_described(world: World) -> None:
    for name in ("demo-c", "demo-a", "demo-b"):
        world.instance_endpoint(name)
    run = record(world.clients, Settings(project_name=PROJECT, max_endpoints=2), AT)
    assert run.over_cap == ["demo-c"], "the first endpoints by name, so every run picks the same"
    assert world.samples("InstanceCount", _endpoint("demo-c"), AT) == []
    assert _value(world, "InstanceCount", _endpoint("demo-b")) == (1, 2)


def test_more_samples_than_one_call_takes_go_in_several_calls(world: World) -> None:
    """The emulator refuses more than 1,000 metrics per PutMetricData, as AWS does."""
    variants = [VariantSample(f"demo-{i:04}", "AllTraffic", 1) for i in range(1500)]
    written = put_samples(world.clients.cloudwatch, metric_data(variants, [], AT))
    assert (written.samples, written.calls, written.problems) == (1500, 2, [])


def _context() -> LambdaContext:
    return LambdaContext(
        function_name="recorder",
        function_version="$LATEST",
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:recorder",
        memory_limit_in_mb=256,
        aws_request_id="req-1",
        log_group_name="/aws/lambda/recorder",
        log_stream_name="s",
        timeout_ms=240_000,
    )


@pytest.fixture
def handler_world(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("PROJECT_NAME", PROJECT)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "infersave")
    handler.settings.cache_clear()
    monkeypatch.setattr(handler, "clients", lambda: world.clients)
    return world


def test_the_handler_stamps_the_scheduled_minute(handler_world: World) -> None:
    handler_world.instance_endpoint("demo-a", instances=1)
    scheduled = AT.replace(second=7).isoformat().replace("+00:00", "Z")
    answer = handler.lambda_handler(
        {"source": "infersave.capacity-recorder", "scheduled_time": scheduled}, _context()
    )
    assert answer["sample_time"] == AT.isoformat()
    assert answer["samples_written"] == 1
    assert _value(handler_world, "InstanceCount", _endpoint("demo-a")) == (1, 1)


def test_the_handler_fails_naming_what_it_missed_after_writing_the_rest(
    handler_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler_world.instance_endpoint("demo-a")
    handler_world.instance_endpoint("demo-b")
    sagemaker = handler_world.clients.sagemaker
    monkeypatch.setattr(
        sagemaker,
        "describe_endpoint",
        _failing(sagemaker.describe_endpoint, "demo-b", "InternalFailure", "try later"),
    )
    monkeypatch.setattr(handler, "utc_now", lambda: AT)
    with pytest.raises(handler.RecordingError, match=r"endpoint demo-b: .*\(InternalFailure\)"):
        handler.lambda_handler({}, _context())
    assert _value(handler_world, "InstanceCount", _endpoint("demo-a")) == (1, 2)


def test_a_missing_project_name_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROJECT_NAME", raising=False)
    with pytest.raises(ValueError, match="PROJECT_NAME must be set"):
        Settings.from_env({})
    with pytest.raises(ValueError, match=r"MAX_ENDPOINTS must be in 1\.\.10000"):
        Settings.from_env({"PROJECT_NAME": "p", "MAX_ENDPOINTS": "0"})
