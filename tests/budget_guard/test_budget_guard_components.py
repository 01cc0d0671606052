"""The breach switch on an inference-component endpoint: it lowers each component's copies (and so the instances
managed instance scaling keeps), and restore puts them back, scale-to-zero minimum included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lambdas.budget_guard import aws, cli, planner
from lambdas.budget_guard.service import guard_project
from tests.budget_guard.conftest import Env, endpoint_tags

DIMENSION = "sagemaker:inference-component:DesiredCopyCount"


@pytest.fixture
def cli_env(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.setattr(aws, "make_clients", lambda region_name=None: env.clients)
    monkeypatch.delenv("ALERTS_TOPIC_ARN", raising=False)
    return env


def _component_endpoint(env: Env, name: str, copies: dict[str, int], bounds: tuple[int, int]) -> None:
    sm = env.clients.sagemaker
    sm.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/x:1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.inf2.24xlarge",
                "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 2},
            }
        ],
    )
    sm.create_endpoint(
        EndpointName=name,
        EndpointConfigName=f"{name}-config",
        Tags=[{"Key": "infersave:project", "Value": "demo"}, {"Key": "infersave:endpoint", "Value": name}],
    )
    for component, count in copies.items():
        sm.create_inference_component(
            InferenceComponentName=component,
            EndpointName=name,
            VariantName="AllTraffic",
            Specification={
                "ModelName": f"{name}-model",
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": 1,
                    "MinMemoryRequiredInMb": 1024,
                },
            },
            RuntimeConfig={"CopyCount": count},
        )
        env.clients.autoscaling.register_scalable_target(
            ServiceNamespace="sagemaker",
            ResourceId=f"inference-component/{component}",
            ScalableDimension=DIMENSION,
            MinCapacity=bounds[0],
            MaxCapacity=bounds[1],
        )


def _copies(env: Env, component: str) -> tuple[int, int, int]:
    target = env.clients.autoscaling.describe_scalable_targets(
        ServiceNamespace="sagemaker",
        ResourceIds=[f"inference-component/{component}"],
        ScalableDimension=DIMENSION,
    )["ScalableTargets"][0]
    runtime = env.clients.sagemaker.describe_inference_component(InferenceComponentName=component)[
        "RuntimeConfig"
    ]
    return target["MinCapacity"], target["MaxCapacity"], runtime["DesiredCopyCount"]


def test_guard_lowers_copies_and_restore_puts_them_back(
    cli_env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env = cli_env
    _component_endpoint(env, "demo-dev", {"demo-dev": 3, "demo-dev-small": 1}, bounds=(0, 4))
    state = aws.read_endpoint_state(env.clients.sagemaker, env.clients.autoscaling, "demo-dev")
    assert state.components and [v.variant_name for v in state.variants] == ["demo-dev", "demo-dev-small"]

    report = guard_project(
        env.clients,
        project="demo",
        period="2025-06",
        floor=1,
        now=datetime(2025, 6, 14, 9, 30, tzinfo=UTC),
        dry_run=False,
    )
    assert not report.failures
    assert _copies(env, "demo-dev") == (0, 1, 1)
    assert _copies(env, "demo-dev-small") == (0, 1, 1)
    tags = endpoint_tags(env, "demo-dev")
    assert tags[planner.PREVIOUS_MIN] == "demo-dev=0 demo-dev-small=0"
    assert tags[planner.PREVIOUS_DESIRED] == "demo-dev=3 demo-dev-small=1"

    status = cli.main(["restore", "--project", "demo"])
    capsys.readouterr()
    assert status == 0
    assert _copies(env, "demo-dev") == (0, 4, 3)
    assert _copies(env, "demo-dev-small") == (0, 4, 1)
    assert planner.PREVIOUS_MIN not in endpoint_tags(env, "demo-dev")


def test_a_recorded_zero_minimum_is_refused_for_variants_only() -> None:
    record = {
        planner.PREVIOUS_MIN: "AllTraffic=0",
        planner.PREVIOUS_MAX: "AllTraffic=2",
        planner.PREVIOUS_DESIRED: "AllTraffic=1",
        planner.BUDGET_PERIOD: "2025-06",
    }
    variant = planner.VariantState("AllTraffic", 1, 1, 1)
    state = planner.EndpointState(
        "e", "arn:aws:sagemaker:us-east-1:1:endpoint/e", "InService", (variant,), record
    )
    with pytest.raises(planner.RestoreRefused, match="break 1 <= min"):
        planner.plan_restore(state)
    component = planner.EndpointState(
        "e",
        "arn",
        "InService",
        (planner.VariantState("e", 1, 1, 1),),
        {k: v.replace("AllTraffic", "e") for k, v in record.items()},
        components=True,
    )
    plan = planner.plan_restore(component)
    assert plan.components and plan.changes[0].min_capacity == 0
