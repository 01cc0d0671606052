"""``Inf2Endpoint``: a SageMaker real-time endpoint serving one LLM on Inferentia2, with its own
least-privilege execution role."""

from __future__ import annotations

import re
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from lambdas.common.aws import VARIANT_NAME
from lambdas.common.catalog import InstanceSpec, load_catalog
from stacks import containers
from stacks.compile_artifacts import CompileArtifacts
from stacks.config import Endpoint
from stacks.dlc_registry import gpu_baselines
from stacks.encryption import grant_image_pull
from stacks.nag import acknowledge, arn_in_finding

__all__ = [
    "VARIANT_NAME",
    "GpuServing",
    "Inf2Endpoint",
]  # VARIANT_NAME re-exported (lambdas.common.aws, CDK-free)
_ECR_URI = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)[:@].+$")
_S3_URI = re.compile(r"^s3://([^/]+)/(.*)$")


@dataclass(frozen=True)
class GpuServing:
    """The GPU side of a calibration: the endpoint's model at the same sizes on ``instance_type``, one
    instance, in the GPU image of the preset's engine, with that image's variables."""

    instance_type: str
    repository: str
    tag: str
    registries: dict[str, str]
    environment: dict[str, str]

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint) -> GpuServing:
        """The baseline of ``endpoint``; ValueError for a custom image (no engine known to pair it with)."""
        image = gpu_baselines().get(endpoint.container.preset)
        if image is None:
            raise ValueError(
                f"endpoint {endpoint.name}: preset {endpoint.container.preset!r} has no GPU baseline image; "
                "calibrate preset endpoints (hf-vllm-neuron, hf-tgi-neuron)"
            )
        return cls(
            instance_type=endpoint.baseline.instance_type,
            repository=image.repository,
            tag=image.tag,
            registries=image.registries,
            environment=gpu_environment(endpoint, image.engine),
        )


def gpu_environment(endpoint: Endpoint, engine: str) -> dict[str, str]:
    """The GPU image's variables for the same model and sizes: TGI's launcher reads ``HF_MODEL_ID``,
    ``SM_NUM_GPUS`` (the SageMaker entrypoint's NUM_SHARD), ``MAX_BATCH_SIZE``, ``MAX_INPUT_TOKENS``,
    ``MAX_TOTAL_TOKENS`` (text-generation-launcher's env names); the vLLM DLC turns ``SM_VLLM_<NAME>`` into
    ``--<name>`` (AWS Deep Learning Containers, vLLM on SageMaker). The GPU count is the instance's (catalog)."""
    gpus = str(load_catalog().instances[endpoint.baseline.instance_type].chips)
    if engine == "tgi":
        return {
            "HF_MODEL_ID": endpoint.model_id,
            "SM_NUM_GPUS": gpus,
            "MAX_BATCH_SIZE": str(endpoint.batch_size),
            "MAX_INPUT_TOKENS": str(endpoint.max_sequence_length // 2),
            "MAX_TOTAL_TOKENS": str(endpoint.max_sequence_length),
        }
    return {
        "SM_VLLM_MODEL": endpoint.model_id,
        "SM_VLLM_TENSOR_PARALLEL_SIZE": gpus,
        "SM_VLLM_MAX_NUM_SEQS": str(endpoint.batch_size),
        "SM_VLLM_MAX_MODEL_LEN": str(endpoint.max_sequence_length),
    }


class Inf2Endpoint(Construct):
    """Model, endpoint config and endpoint for one configured endpoint (or, with ``gpu``, its calibration
    baseline on a GPU instance: same model and sizes, the GPU image of the same engine, one instance).

    Exposes ``endpoint_name``, ``variant_name``, the L1 resources (``model``, ``endpoint_config``,
    ``endpoint``), ``role`` and ``grant_invoke``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint: Endpoint,
        endpoint_name: str,
        volume_key: kms.IKey | None,
        artifacts_store: CompileArtifacts | None = None,
        gpu: GpuServing | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._artifacts_store = artifacts_store
        self._gpu = gpu
        stack = cdk.Stack.of(self)
        instance_type = gpu.instance_type if gpu else endpoint.instance_type
        spec = load_catalog().instances[instance_type]
        self.endpoint_name = endpoint_name
        self.variant_name = VARIANT_NAME

        self.role = iam.Role(
            self,
            "ExecutionRole",
            # Confused-deputy guard: SageMaker may assume this role only on behalf of this account's
            # resources in this region. For real-time inference the docs give aws:SourceArn
            # arn:<partition>:sagemaker:<region>:<account>:* with ArnLike ("do not replace it with the ARN
            # of a specific model or endpoint"); aws:SourceAccount must name the same account.
            # https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html
            assumed_by=iam.ServicePrincipal(
                "sagemaker.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{stack.partition}:sagemaker:{stack.region}:{stack.account}:*"
                    },
                },
            ),
            description=f"SageMaker execution role of endpoint {endpoint_name} (image pull, artifacts, logs)",
        )
        self.model = self._model("Model", endpoint)
        self._grant_logs_and_metrics(stack)
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "EndpointConfig",
            production_variants=[self._variant(endpoint, spec)],
            kms_key_id=None if spec.local_nvme or volume_key is None else volume_key.key_arn,
            execution_role_arn=self._endpoint_config_role(),
        )
        self.endpoint = sagemaker.CfnEndpoint(
            self,
            "Endpoint",
            endpoint_name=endpoint_name,
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
            # Keep the instance count autoscaling (or the breach switch) set when a config change replaces the
            # endpoint config; otherwise every update resets it to InitialInstanceCount.
            retain_all_variant_properties=True,
        )
        self.endpoint_arn = stack.format_arn(
            service="sagemaker", resource="endpoint", resource_name=endpoint_name.lower()
        )

    def _model(self, construct_id: str, endpoint: Endpoint) -> sagemaker.CfnModel:
        """The SageMaker model (image, environment, artifacts) of ``endpoint``'s model, run by this role."""
        env = dict(self._gpu.environment) if self._gpu else containers.environment(endpoint)
        if endpoint.container.hf_token_secret_name:
            # Dynamic reference: CloudFormation resolves it at deploy time; the template holds no token.
            env["HF_TOKEN"] = (
                f"{{{{resolve:secretsmanager:{endpoint.container.hf_token_secret_name}:SecretString:HF_TOKEN}}}}"
            )

        container = sagemaker.CfnModel.ContainerDefinitionProperty(
            image=self._image_uri(endpoint),
            environment=env,
            # Neuron artifacts are no use to a GPU image: the baseline downloads the model from the Hub.
            model_data_source=None if self._gpu else self._artifacts(endpoint),
        )
        model = sagemaker.CfnModel(
            self,
            construct_id,
            execution_role_arn=self.role.role_arn,
            primary_container=container,
            # Without internet access the container cannot reach the Hugging Face Hub, so isolation is only
            # possible when the artifacts hold the weights too. `make compile` exports from a local download, so
            # optimum-neuron 0.4.x writes sharded weights (checkpoint/weights/tp<rank>_sharded_checkpoint.
            # safetensors) that load_weights() reads from /opt/ml/model before it would try the Hub
            # (optimum/neuron/models/inference/backend/pretrained_model.py, v0.4.5); TGI's 0.0.28 exports always
            # carry checkpoint/ (optimum/neuron/modeling_decoder.py, v0.0.28). A hub-id export (no weights)
            # would fail to load here: README "Compile path".
            enable_network_isolation=bool(endpoint.precompiled_artifacts_s3_uri) and self._gpu is None,
        )
        model.node.add_dependency(self.role)
        return model

    def _variant(
        self, endpoint: Endpoint, spec: InstanceSpec
    ) -> sagemaker.CfnEndpointConfig.ProductionVariantProperty:
        """The production variant: the model on ``instances.initial`` instances (inference components
        override it)."""
        return sagemaker.CfnEndpointConfig.ProductionVariantProperty(
            variant_name=VARIANT_NAME,
            model_name=self.model.attr_model_name,
            initial_instance_count=1 if self._gpu else endpoint.instances.initial,
            instance_type=self._gpu.instance_type if self._gpu else endpoint.instance_type,
            initial_variant_weight=1.0,
            # Neuron compilation happens at container start when no precompiled artifacts are given; up to
            # 3600 s allowed. https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html
            container_startup_health_check_timeout_in_seconds=endpoint.startup_health_check_seconds,
            model_data_download_timeout_in_seconds=endpoint.model_download_seconds,
            # VolumeSizeInGB and KmsKeyId are refused for instance types with local NVMe storage (encrypted by
            # the instance's hardware module instead); ml.inf2 uses EBS.
            volume_size_in_gb=None if spec.local_nvme else endpoint.default_volume_size_gb,
        )

    def _endpoint_config_role(self) -> str | None:
        """ExecutionRoleArn of the endpoint config: none when the variant names its model."""
        return None

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to invoke this endpoint (also with response streaming)."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"],
            resource_arns=[self.endpoint_arn],
        )

    def _image_uri(self, endpoint: Endpoint) -> str:
        stack = cdk.Stack.of(self)
        if endpoint.container.preset == "custom":
            uri = endpoint.container.image_uri or ""
            match = _ECR_URI.match(uri)
            if not match:
                raise ValueError(f"container.image_uri {uri!r} is not an ECR image URI")
            account, region, repository = match.groups()
            repo_arn = f"arn:{stack.partition}:ecr:{region}:{account}:repository/{repository}"
        elif self._gpu is not None:
            repository, tag = self._gpu.repository, self._gpu.tag
            mapping = cdk.CfnMapping(
                self,
                "GpuRegistryAccounts",
                mapping={region: {"account": account} for region, account in self._gpu.registries.items()},
                lazy=True,
            )
            registry = mapping.find_in_map(stack.region, "account")
            uri = f"{registry}.dkr.ecr.{stack.region}.{stack.url_suffix}/{repository}:{tag}"
            repo_arn = f"arn:{stack.partition}:ecr:{stack.region}:{registry}:repository/{repository}"
        else:
            repository, tag = containers.image_repository_and_tag(endpoint)
            registry = containers.registry_mapping(stack).find_in_map(stack.region, "account")
            uri = f"{registry}.dkr.ecr.{stack.region}.{stack.url_suffix}/{repository}:{tag}"
            repo_arn = f"arn:{stack.partition}:ecr:{stack.region}:{registry}:repository/{repository}"
        grant_image_pull(self.role, [repo_arn])
        return uri

    def _grant_logs_and_metrics(self, stack: cdk.Stack) -> None:
        log_group = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=f"/aws/sagemaker/Endpoints/{self.endpoint_name}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                resources=[log_group],
            )
        )
        self.role.add_to_policy(iam.PolicyStatement(actions=["cloudwatch:PutMetricData"], resources=["*"]))
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken and cloudwatch:PutMetricData have no resource-level permissions "
            "(Service Authorization Reference); every other statement names its repository, prefix or log group.",
        )
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::{arn_in_finding(self, 'logs', f'log-group:/aws/sagemaker/Endpoints/{self.endpoint_name}:*')}]",
            "Log streams of the endpoint's own log group are created at run time with generated names.",
        )

    def _artifacts(self, endpoint: Endpoint) -> sagemaker.CfnModel.ModelDataSourceProperty | None:
        uri = endpoint.precompiled_artifacts_s3_uri
        if not uri:
            return None
        match = _S3_URI.match(uri)
        if not match:
            raise ValueError(f"precompiled_artifacts_s3_uri {uri!r} is not s3://bucket/prefix/")
        bucket, prefix = match.groups()
        prefix = prefix if prefix.endswith("/") or not prefix else prefix + "/"
        source = sagemaker.CfnModel.ModelDataSourceProperty(
            s3_data_source=sagemaker.CfnModel.S3DataSourceProperty(
                s3_uri=f"s3://{bucket}/{prefix}", s3_data_type="S3Prefix", compression_type="None"
            )
        )
        if self._artifacts_store is not None and self._artifacts_store.owns(uri):
            # Artifacts of `make compile`: read + decrypt on the project's own artifacts bucket and key.
            finding = self._artifacts_store.grant_read(self.role, prefix)
            acknowledge(
                self.role,
                f"AwsSolutions-IAM5[Resource::{finding}]",
                "The model reads every file under its own artifacts prefix and nothing else.",
            )
            return source
        partition = cdk.Stack.of(self).partition
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[f"arn:{partition}:s3:::{bucket}/{prefix}*"]
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[f"arn:{partition}:s3:::{bucket}"],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
            )
        )
        if endpoint.artifacts_kms_key_arn:
            self.role.add_to_policy(
                iam.PolicyStatement(actions=["kms:Decrypt"], resources=[endpoint.artifacts_kms_key_arn])
            )
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{bucket}/{prefix}*]",
            "The model reads every file under its own artifacts prefix and nothing else.",
        )
        return source
