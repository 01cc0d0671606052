"""``InferenceStack``: the project's Inferentia2 endpoints with autoscaling. It only wires constructs."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from lambdas.common import tags
from stacks import containers
from stacks.compile_artifacts import CompileArtifacts
from stacks.config import Config
from stacks.endpoint_autoscaling import EndpointAutoscaling
from stacks.inf2_endpoint import Inf2Endpoint
from stacks.scaling_gate import ScalingGateFunction


class InferenceStack(cdk.Stack):
    """One ``Inf2Endpoint`` + ``EndpointAutoscaling`` per configured endpoint, sharing one volume KMS key, and
    the ``CompileArtifacts`` store of ``make compile`` (outputs ``CompileArtifactsBucketName``,
    ``CompileArtifactsKeyArn``, ``CompileJobRoleArn``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: Config,
        legacy_scaling_ids: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.volume_key = kms.Key(
            self,
            "VolumeKey",
            enable_key_rotation=True,
            description=f"Encrypts the ML storage volumes of {config.project}'s SageMaker endpoints",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.compile_artifacts = CompileArtifacts(
            self,
            "CompileArtifacts",
            project=config.project,
            image_repository_arns=self._compile_image_repositories(config),
        )
        self.endpoints: dict[str, Inf2Endpoint] = {}
        self.autoscaling: dict[str, EndpointAutoscaling] = {}
        # Lets an endpoint change instance type in one deploy (see stacks/endpoint_autoscaling.py).
        self.scaling_gate = ScalingGateFunction(
            self, "ScalingGate", project=config.project, key=self.volume_key
        )
        for endpoint in config.endpoints:
            name = config.endpoint_name(endpoint)
            unit = Inf2Endpoint(
                self,
                f"Endpoint-{endpoint.name}",
                endpoint=endpoint,
                endpoint_name=name,
                volume_key=self.volume_key,
                artifacts_store=self.compile_artifacts,
            )
            cdk.Tags.of(unit).add(tags.ENDPOINT, name)
            cdk.Tags.of(unit.endpoint).add(tags.BASELINE_INSTANCE_TYPE, endpoint.baseline.instance_type)
            cdk.Tags.of(unit.endpoint).add(
                tags.BASELINE_CAPACITY_RATIO, str(endpoint.baseline.capacity_ratio)
            )
            # Written from the config (``make calibrate --write`` edits it), so a deploy never reverts them.
            cdk.Tags.of(unit.endpoint).add(
                tags.CAPACITY_RATIO_SOURCE, endpoint.baseline.capacity_ratio_source
            )
            for key, tokens in (
                (tags.INPUT_TOKENS_PER_REQUEST, endpoint.baseline.input_tokens_per_request),
                (tags.OUTPUT_TOKENS_PER_REQUEST, endpoint.baseline.output_tokens_per_request),
            ):
                if tokens is not None:
                    cdk.Tags.of(unit.endpoint).add(key, str(tokens))
            for key, value in endpoint.tags.items():
                cdk.Tags.of(unit).add(key, value)
            self.endpoints[endpoint.name] = unit
            self.autoscaling[endpoint.name] = EndpointAutoscaling(
                self,
                f"Autoscaling-{endpoint.name}",
                endpoint=endpoint,
                target=unit,
                gate_function=self.scaling_gate,
                legacy_logical_ids=legacy_scaling_ids,
            )
            cdk.CfnOutput(self, f"EndpointName{endpoint.name.replace('-', '')}", value=name)
        cdk.CfnOutput(self, "CompileArtifactsBucketName", value=self.compile_artifacts.bucket.bucket_name)
        cdk.CfnOutput(self, "CompileArtifactsKeyArn", value=self.compile_artifacts.key.key_arn)
        cdk.CfnOutput(self, "CompileJobRoleArn", value=self.compile_artifacts.role.role_arn)

    def _compile_image_repositories(self, config: Config) -> list[str]:
        """ECR repositories of the serving images `make compile` runs: the presets it can compile for."""
        registry = containers.registry_mapping(self).find_in_map(self.region, "account")
        repositories = sorted(
            {containers.PRESETS[preset].repository for preset in containers.COMPILABLE_PRESETS}
        )
        return [f"arn:{self.partition}:ecr:{self.region}:{registry}:repository/{r}" for r in repositories]
