"""``InferenceStack``: one stack of the project's Inferentia2 endpoints with autoscaling. It only wires
constructs. Stack 0 (``infersave-<project>-inference``) also holds the compile artifacts store; the others
(``-inference-<k>``, :mod:`stacks.config.shards`) hold their endpoints' alarms too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.common import tags
from stacks import containers
from stacks.compile_artifacts import CompileArtifacts
from stacks.config import Config, Endpoint
from stacks.endpoint_alarms import EndpointAlarms
from stacks.endpoint_autoscaling import EndpointAutoscaling
from stacks.inf2_endpoint import Inf2Endpoint
from stacks.inference_components import ComponentAutoscaling, ComponentEndpoint
from stacks.scaling_gate import ScalingGateFunction


class InferenceStack(cdk.Stack):
    """One ``Inf2Endpoint`` + ``EndpointAutoscaling`` per endpoint of this stack (``endpoints``), sharing one
    volume KMS key and one scaling gate function.

    Stack 0 (``artifacts_store`` None) creates the ``CompileArtifacts`` store of ``make compile`` (outputs
    ``CompileArtifactsBucketName``, ``CompileArtifactsKeyArn``, ``CompileJobRoleArn``); its endpoints' alarms
    are in the guardrails stack. Another endpoint stack reads stack 0's store (``artifacts_store``) and adds
    its endpoints' ``EndpointAlarms`` on ``alarm_topic`` itself, so the guardrails stack does not grow with
    endpoints beyond stack 0.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: Config,
        endpoints: Sequence[Endpoint] | None = None,
        artifacts_store: CompileArtifacts | None = None,
        alarm_topic: sns.ITopic | None = None,
        legacy_scaling_ids: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self._config = config
        self._legacy_scaling_ids = legacy_scaling_ids
        self._alarm_topic = alarm_topic
        self.volume_key = kms.Key(
            self,
            "VolumeKey",
            enable_key_rotation=True,
            description=f"Encrypts the ML storage volumes of {config.project}'s SageMaker endpoints",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.compile_artifacts = artifacts_store or CompileArtifacts(
            self,
            "CompileArtifacts",
            project=config.project,
            image_repository_arns=self._compile_image_repositories(config),
        )
        self.endpoints: dict[str, Inf2Endpoint] = {}
        self.autoscaling: dict[str, EndpointAutoscaling | ComponentAutoscaling] = {}
        self.alarms: dict[str, EndpointAlarms] = {}
        # Lets an endpoint change instance type in one deploy (see stacks/endpoint_autoscaling.py).
        self.scaling_gate = ScalingGateFunction(
            self, "ScalingGate", project=config.project, key=self.volume_key
        )
        for endpoint in config.endpoints if endpoints is None else endpoints:
            self.add_endpoint(endpoint)
        if artifacts_store is None:
            cdk.CfnOutput(self, "CompileArtifactsBucketName", value=self.compile_artifacts.bucket.bucket_name)
            cdk.CfnOutput(self, "CompileArtifactsKeyArn", value=self.compile_artifacts.key.key_arn)
            cdk.CfnOutput(self, "CompileJobRoleArn", value=self.compile_artifacts.role.role_arn)

    def add_endpoint(self, endpoint: Endpoint) -> Inf2Endpoint:
        """Everything one endpoint adds to this stack (the unit ``stacks.config.limits`` counts per endpoint):
        the endpoint and its tags, its autoscaling and scaling gate, its name output, and its alarms when this
        stack carries an alarm topic. Construct ids depend on the endpoint's name only, so adding or removing
        another endpoint never changes its logical ids."""
        config = self._config
        name = config.endpoint_name(endpoint)
        # serving: inference_component -> the same endpoint with one inference component per model.
        unit = (ComponentEndpoint if endpoint.serving == "inference_component" else Inf2Endpoint)(
            self,
            f"Endpoint-{endpoint.name}",
            endpoint=endpoint,
            endpoint_name=name,
            volume_key=self.volume_key,
            artifacts_store=self.compile_artifacts,
        )
        cdk.Tags.of(unit).add(tags.ENDPOINT, name)
        cdk.Tags.of(unit.endpoint).add(tags.BASELINE_INSTANCE_TYPE, endpoint.baseline.instance_type)
        cdk.Tags.of(unit.endpoint).add(tags.BASELINE_CAPACITY_RATIO, str(endpoint.baseline.capacity_ratio))
        # Written from the config (``make calibrate --write`` edits it), so a deploy never reverts them.
        cdk.Tags.of(unit.endpoint).add(tags.CAPACITY_RATIO_SOURCE, endpoint.baseline.capacity_ratio_source)
        for key, tokens in (
            (tags.INPUT_TOKENS_PER_REQUEST, endpoint.baseline.input_tokens_per_request),
            (tags.OUTPUT_TOKENS_PER_REQUEST, endpoint.baseline.output_tokens_per_request),
        ):
            if tokens is not None:
                cdk.Tags.of(unit.endpoint).add(key, str(tokens))
        for key, value in endpoint.tags.items():
            cdk.Tags.of(unit).add(key, value)
        self.endpoints[endpoint.name] = unit
        if isinstance(unit, ComponentEndpoint):
            self.autoscaling[endpoint.name] = ComponentAutoscaling(
                self, f"Autoscaling-{endpoint.name}", endpoint=endpoint, target=unit
            )
        else:
            self.autoscaling[endpoint.name] = EndpointAutoscaling(
                self,
                f"Autoscaling-{endpoint.name}",
                endpoint=endpoint,
                target=unit,
                gate_function=self.scaling_gate,
                legacy_logical_ids=self._legacy_scaling_ids,
            )
        cdk.CfnOutput(self, f"EndpointName{endpoint.name.replace('-', '')}", value=name)
        if self._alarm_topic is not None:
            self.alarms[endpoint.name] = EndpointAlarms(
                self,
                f"Alarms-{endpoint.name}",
                endpoint=endpoint,
                endpoint_name=name,
                config=config.alarms,
                topic=self._alarm_topic,
            )
        return unit

    def _compile_image_repositories(self, config: Config) -> list[str]:
        """ECR repositories of the serving images `make compile` runs: the presets it can compile for."""
        registry = containers.registry_mapping(self).find_in_map(self.region, "account")
        repositories = sorted(
            {containers.PRESETS[preset].repository for preset in containers.COMPILABLE_PRESETS}
        )
        return [f"arn:{self.partition}:ecr:{self.region}:{registry}:repository/{r}" for r in repositories]
