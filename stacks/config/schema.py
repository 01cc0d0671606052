"""The config file's schema: typed, immutable pydantic models with their field-level checks.

Checks that need the instance catalog or span several fields live beside this module (``neuron_fit``,
``neuron_cache``, ``containers``, ``budget_checks``, ``endpoint_checks``, ``regions``); ``stacks.config.load_config`` runs them all.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from lambdas.common import tags
from stacks.config.secrets import secret_problem
from stacks.schedule import cron_problem, time_zone_problem

#: Share of the container's batch slots the concurrent-requests target aims at.
CONCURRENCY_TARGET_FRACTION = 0.75
BYTES_PER_WEIGHT = {"bf16": 2, "fp16": 2, "int8": 1, "fp8": 1}
GIB = 1024**3
#: Largest instance count accepted per endpoint. The API has no maximum (InitialInstanceCount >= 1, botocore's
#: SageMaker model); the real bound is the account's service quota, which ``make preflight`` checks. Above
#: this a number is a typo, not a plan.
MAX_INSTANCES = 1000
#: Largest USD amount accepted (budget limit, anomaly threshold): USD 1 billion a month.
MAX_USD = Decimal(1_000_000_000)
#: Tags a user may add per map (AWS allows 50 per resource); the combined check (`endpoint_checks`) counts the
#: project's and the endpoint's together with infersave's own (5 to 7 per endpoint, 7 more while the breach switch acts).
MAX_USER_TAGS = 45
_ENV_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
#: SageMaker's allowed range for ContainerStartupHealthCheckTimeoutInSeconds and
#: ModelDataDownloadTimeoutInSeconds (CreateEndpointConfig API reference).
TIMEOUT_RANGE_SECONDS = (60, 3600)
#: Most endpoints with per-endpoint report metrics (6 custom metrics each per report type).
MAX_METRICS_TOP_ENDPOINTS = 1000
#: Highest endpoint stack index (``endpoints[].shard``): 100 stacks of endpoints, far below CloudFormation's
#: 2,000 stacks per account and Region ("Understand CloudFormation quotas").
MAX_SHARD = 99
#: SageMaker's allowed range for VolumeSizeInGB (CreateEndpointConfig API reference).
VOLUME_RANGE_GB = (1, 512)

_ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[^:@]+[:@].+$")
Name = Annotated[str, Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", min_length=1, max_length=40)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def _cron(value: str) -> str:
    problem = cron_problem(value)
    if problem:
        raise ValueError(f"{value!r} {problem}")
    return value


def _time_zone(value: str) -> str:
    problem = time_zone_problem(value)
    if problem:
        raise ValueError(f"{value!r} {problem}")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address like team@example.com")
    return value


def _tag_characters_ok(text: str) -> bool:
    """AWS tag characters: Unicode letters, numbers and spaces and ``_ . : / = + - @`` (the TagKey/TagValue
    pattern ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`` of the SageMaker and Tagging API models)."""
    return all(c.isalnum() or c == " " or c in "_.:/=+-@" for c in text)


def _tags(values: dict[str, str]) -> dict[str, str]:
    if len(values) > MAX_USER_TAGS:
        raise ValueError(
            f"{len(values)} tags; AWS allows 50 per resource and infersave adds up to {50 - MAX_USER_TAGS}: "
            f"keep at most {MAX_USER_TAGS}"
        )
    for key, value in values.items():
        if key.lower().startswith("aws:") or not 1 <= len(key) <= 128 or len(value) > 256:
            raise ValueError(
                f"tag {key!r}: keys are 1-128 characters and must not start with 'aws:'; values at most 256"
            )
        if not (_tag_characters_ok(key) and _tag_characters_ok(value)):
            raise ValueError(
                f"tag {key!r}: {value!r}: AWS accepts letters, numbers, spaces and _ . : / = + - @ only; "
                "remove the other characters"
            )
    return values


def _unique_emails(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value.lower() in seen:
            raise ValueError(f"{value!r} is listed twice; each address is subscribed once, so list it once")
        seen.add(value.lower())
    return values


def _environment(values: dict[str, str]) -> dict[str, str]:
    """CreateModel's Environment rules (at most 100 variables, names ``[a-zA-Z_][a-zA-Z0-9_]*`` up to 1024
    characters, values up to 1024) and no credentials (:mod:`stacks.config.secrets`)."""
    if len(values) > 100:
        raise ValueError(f"{len(values)} variables; SageMaker accepts at most 100 per container")
    for name, value in values.items():
        if not _ENV_NAME.match(name) or len(name) > 1024 or len(value) > 1024:
            raise ValueError(
                f"variable {name[:40]!r}: names are letters, digits and _ (not starting with a digit), names and "
                "values at most 1024 characters (SageMaker CreateModel)"
            )
        problem = secret_problem(name, value)
        if problem:
            raise ValueError(
                f"{problem}: secrets must not be in the config or the template; store it in Secrets Manager "
                "(for the Hugging Face token: hf_token_secret_name) and remove it here"
            )
    return values


Cron = Annotated[str, AfterValidator(_cron)]
Tags = Annotated[dict[str, str], AfterValidator(_tags)]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
Email = Annotated[str, AfterValidator(_email)]
Emails = Annotated[list[Email], AfterValidator(_unique_emails)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AwsEnv(_Model):
    """Where to deploy; both optional (the CDK CLI's account/region are used when absent)."""

    account: Annotated[str, Field(pattern=r"^\d{12}$")] | None = None
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] | None = None


class Container(_Model):
    """Serving container: a Hugging Face Neuron preset, or a custom image URI (escape hatch)."""

    preset: Literal["hf-vllm-neuron", "hf-tgi-neuron", "custom"] = "hf-vllm-neuron"
    #: Full image tag of the preset's DLC (default: the preset's pinned tag), e.g.
    #: 0.11.0-optimum0.4.5-neuronx-py310-sdk2.26.1-ubuntu22.04.
    version: Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")] | None = None
    #: Full image URI; required for ``custom``, refused for presets.
    image_uri: str | None = None
    #: Name of a Secrets Manager secret whose JSON has key HF_TOKEN (gated models); resolved by
    #: CloudFormation at deploy time, never in the template in clear text.
    hf_token_secret_name: str | None = None
    #: Extra container environment variables (merged last; no credentials).
    environment: Annotated[dict[str, str], AfterValidator(_environment)] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _image(self) -> Container:
        if self.preset == "custom" and not self.image_uri:
            raise ValueError(
                "preset 'custom' needs image_uri (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag)"
            )
        if self.preset == "custom" and not _ECR_IMAGE.match(self.image_uri or ""):
            raise ValueError(
                f"image_uri {self.image_uri!r} is not an ECR image URI; SageMaker pulls from ECR, e.g. "
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag"
            )
        if self.preset != "custom" and self.image_uri:
            raise ValueError(
                f"image_uri is only for preset 'custom'; preset {self.preset!r} resolves its own image"
            )
        return self


class InstanceCounts(_Model):
    """Instance counts of the production variant: initial, autoscaling min and max. ``min`` 0 is for
    ``serving: inference_component`` with scale to zero only (checked in ``stacks.config.components``)."""

    initial: Annotated[int, Field(ge=1, le=MAX_INSTANCES)] = 1
    min: Annotated[int, Field(ge=0, le=MAX_INSTANCES)] = 1
    max: Annotated[int, Field(ge=1, le=MAX_INSTANCES)] = 2

    @model_validator(mode="after")
    def _order(self) -> InstanceCounts:
        if not self.min <= self.initial <= self.max:
            raise ValueError(
                f"need min <= initial <= max, got min={self.min}, initial={self.initial}, max={self.max}; "
                "raise max or lower min/initial"
            )
        return self


class Autoscaling(_Model):
    """Target tracking on the production variant."""

    metric: Literal["concurrent_requests", "invocations_per_instance"] = "concurrent_requests"
    #: Target value; derived from batch size for concurrent_requests when absent.
    target: Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)] | None = None
    scale_out_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = 60
    scale_in_cooldown_seconds: Annotated[int, Field(ge=0, le=86400)] = 900

    @model_validator(mode="after")
    def _target(self) -> Autoscaling:
        if self.metric == "invocations_per_instance" and self.target is None:
            raise ValueError(
                "metric invocations_per_instance needs an explicit target (invocations per instance per minute); "
                "measure your model's sustainable rate and set target"
            )
        return self


class OffHours(_Model):
    """Scheduled actions that lower min capacity off-hours and raise it back."""

    scale_down_cron: Cron
    scale_up_cron: Cron
    time_zone: TimeZone = "UTC"
    #: Instances (``serving: instance``) or copies of each model (``serving: inference_component``) kept
    #: off-hours; 0 only with inference components and scale to zero (``stacks.config.components``).
    min_capacity: Annotated[int, Field(ge=0)] = 1


class Baseline(_Model):
    """The GPU deployment the savings are measured against."""

    instance_type: str = "ml.g5.2xlarge"
    #: Baseline instances needed per Inferentia2 instance for the same throughput (measure yours:
    #: ``make calibrate ENDPOINT=<name>``, whose ``--write`` sets this and the three fields below).
    capacity_ratio: Annotated[Decimal, Field(ge=tags.CAPACITY_RATIO_MIN, le=tags.CAPACITY_RATIO_MAX)] = (
        Decimal("1.0")
    )
    #: ``assumed``, or ``measured:YYYY-MM-DD`` (the day of the calibration that measured the ratio).
    capacity_ratio_source: Annotated[str, Field(pattern=r"^(assumed|measured:\d{4}-\d{2}-\d{2})$")] = (
        "assumed"
    )
    #: Mean input / output tokens per request of the calibration's request mix (as the container counted them).
    input_tokens_per_request: Annotated[Decimal, Field(gt=0, le=10_000_000)] | None = None
    output_tokens_per_request: Annotated[Decimal, Field(gt=0, le=10_000_000)] | None = None

    @model_validator(mode="after")
    def _measured(self) -> Baseline:
        if self.capacity_ratio_source.startswith("measured:"):
            try:
                date.fromisoformat(self.capacity_ratio_source.removeprefix("measured:"))
            except ValueError:
                raise ValueError(
                    f"capacity_ratio_source {self.capacity_ratio_source!r} is not a calendar date; "
                    "use measured:YYYY-MM-DD or assumed"
                ) from None
        return self


class Calibration(_Model):
    """The latency objective ``make calibrate`` holds both instance types to (p90 over a load level's requests)."""

    #: p90 time to first token, seconds.
    ttft_p90_s: Annotated[Decimal, Field(gt=0, le=600)] = Decimal("2.0")
    #: p90 inter-token latency (time between streamed tokens), seconds.
    itl_p90_s: Annotated[Decimal, Field(gt=0, le=60)] = Decimal("0.1")


class Timeouts(_Model):
    """Start-up timeouts; defaults depend on whether precompiled Neuron artifacts are given."""

    startup_health_check_seconds: int | None = None
    model_download_seconds: int | None = None

    @field_validator("startup_health_check_seconds", "model_download_seconds")
    @classmethod
    def _range(cls, value: int | None) -> int | None:
        low, high = TIMEOUT_RANGE_SECONDS
        if value is not None and not low <= value <= high:
            raise ValueError(f"{value} is outside SageMaker's allowed range {low}-{high} seconds")
        return value


class ComponentCopies(_Model):
    """Copies of one model on an inference-component endpoint: autoscaling min and max."""

    min: Annotated[int, Field(ge=0, le=MAX_INSTANCES)] = 1
    max: Annotated[int, Field(ge=1, le=MAX_INSTANCES)] = 1

    @model_validator(mode="after")
    def _order(self) -> ComponentCopies:
        if self.min > self.max:
            raise ValueError(f"need min <= max, got min={self.min}, max={self.max}; raise max or lower min")
        return self


class ScaleToZero(_Model):
    """Scale an inference-component endpoint to zero copies and zero instances when idle."""

    enabled: bool = False
    #: Minutes without traffic before the last copy goes (the target tracking's scale-in cooldown); AWS
    #: releases the then empty instance after the endpoint config's ScaleInPolicy cooldown (5-1440 minutes).
    idle_minutes: Annotated[int, Field(ge=5, le=1440)] = 15


class ComponentModel(_Model):
    """A further model on the same inference-component endpoint (the endpoint's own model is the first)."""

    name: Name
    model_id: Annotated[str, Field(min_length=1)]
    parameters_billion: Annotated[Decimal, Field(gt=0, le=2000)]
    precision: Literal["bf16", "fp16", "int8", "fp8"] = "bf16"
    container: Container = Field(default_factory=Container)
    #: NeuronCores per copy (the model's tensor-parallel degree).
    tensor_parallel_degree: Annotated[int, Field(ge=1)] = 2
    batch_size: Annotated[int, Field(ge=1, le=256)] = 4
    max_sequence_length: Annotated[int, Field(ge=128, le=131072)] = 4096
    precompiled_artifacts_s3_uri: (
        Annotated[str, Field(pattern=r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.*")] | None
    ) = None
    compile_at_startup: bool = False
    copies: ComponentCopies = Field(default_factory=ComponentCopies)


class InferenceComponents(_Model):
    """``serving: inference_component``: copies of the endpoint's model, further models, scale to zero."""

    #: Copies of the endpoint's own model (``model_id``; NeuronCores per copy = ``tensor_parallel_degree``).
    copies: ComponentCopies = Field(default_factory=ComponentCopies)
    models: Annotated[list[ComponentModel], Field(max_length=20)] = Field(default_factory=list)
    scale_to_zero: ScaleToZero = Field(default_factory=ScaleToZero)


class Endpoint(_Model):
    """One SageMaker real-time endpoint serving one model on Inferentia2 (``serving: instance``), or one or
    more models as inference components (``serving: inference_component``)."""

    name: Name
    model_id: Annotated[str, Field(min_length=1)]
    parameters_billion: Annotated[Decimal, Field(gt=0, le=2000)]
    precision: Literal["bf16", "fp16", "int8", "fp8"] = "bf16"
    container: Container = Field(default_factory=Container)
    instance_type: str = "ml.inf2.xlarge"
    tensor_parallel_degree: Annotated[int, Field(ge=1)] = 2
    batch_size: Annotated[int, Field(ge=1, le=256)] = 4
    max_sequence_length: Annotated[int, Field(ge=128, le=131072)] = 4096
    instances: InstanceCounts = Field(default_factory=InstanceCounts)
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)
    off_hours: OffHours | None = None
    #: s3://bucket/prefix/ of precompiled Neuron artifacts (skips compilation at start-up).
    precompiled_artifacts_s3_uri: (
        Annotated[str, Field(pattern=r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.*")] | None
    ) = None
    #: KMS key that encrypts the artifacts bucket, if any (the execution role gets decrypt on it).
    artifacts_kms_key_arn: (
        Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[a-zA-Z0-9-]{1,128}$")]
        | None
    ) = None
    #: Let the container compile a configuration the Neuron cache lacks, at start-up (vLLM preset only:
    #: sets SM_ON_ALLOW_NON_CACHED_MODEL; bounds in ``neuron_cache``).
    compile_at_startup: bool = False
    timeouts: Timeouts = Field(default_factory=Timeouts)
    volume_size_gb: Annotated[int, Field(ge=VOLUME_RANGE_GB[0], le=VOLUME_RANGE_GB[1])] | None = None
    baseline: Baseline = Field(default_factory=Baseline)
    calibration: Calibration = Field(default_factory=Calibration)
    tags: Tags = Field(default_factory=dict)
    #: Pins the endpoint to endpoint stack ``shard`` (0 is ``infersave-<project>-inference``); default: the
    #: stable hash of its name modulo ``stacks.endpoint_shards`` (:mod:`stacks.config.shards`).
    shard: Annotated[int, Field(ge=0, le=MAX_SHARD)] | None = None
    #: ``instance``: the model on the whole variant (the default); ``inference_component``: SageMaker inference
    #: components, which can share instances and scale to zero (settings in ``components``).
    serving: Literal["instance", "inference_component"] = "instance"
    components: InferenceComponents | None = None

    @property
    def component_settings(self) -> InferenceComponents:
        """The inference-component settings (defaults when ``components`` is absent)."""
        return self.components or InferenceComponents()

    @property
    def scales_to_zero(self) -> bool:
        """True when this endpoint may run with no instance at all."""
        return self.serving == "inference_component" and self.component_settings.scale_to_zero.enabled

    @property
    def weights_gib(self) -> Decimal:
        """Model weights in GiB: parameters x bytes per weight."""
        weight_bytes = self.parameters_billion * Decimal(10**9) * BYTES_PER_WEIGHT[self.precision]
        return weight_bytes / GIB

    @property
    def tracking_target(self) -> float:
        """Target tracking value: configured, else 75 % of the batch size in concurrent requests per model
        (at least 1), leaving room for bursts while new instances start (Neuron instances take minutes)."""
        if self.autoscaling.target is not None:
            return self.autoscaling.target
        return float(max(1, math.floor(self.batch_size * CONCURRENCY_TARGET_FRACTION)))

    @property
    def startup_health_check_seconds(self) -> int:
        """Health-check timeout: Neuron compilation at start-up can take up to an hour without artifacts."""
        if self.timeouts.startup_health_check_seconds is not None:
            return self.timeouts.startup_health_check_seconds
        return 1200 if self.precompiled_artifacts_s3_uri else 3600

    @property
    def model_download_seconds(self) -> int:
        """Time allowed to download weights or artifacts to the instance."""
        if self.timeouts.model_download_seconds is not None:
            return self.timeouts.model_download_seconds
        return 3600 if self.weights_gib > 60 else 1800

    @property
    def default_volume_size_gb(self) -> int:
        """Room for weights, compiled artifacts and the Neuron cache: 3 x weights (GB) + 32 GB, within limits."""
        if self.volume_size_gb is not None:
            return self.volume_size_gb
        weights_gb = self.parameters_billion * BYTES_PER_WEIGHT[self.precision]  # 1e9 parameters x bytes = GB
        size = math.ceil(weights_gb * 3) + 32
        return max(VOLUME_RANGE_GB[0], min(VOLUME_RANGE_GB[1], size))


class BreachSwitch(_Model):
    """Opt-in: scale the project's endpoints down to a floor when the budget is breached (ACTUAL)."""

    enabled: bool = False
    threshold_percent: Annotated[Decimal, Field(gt=0, le=1000)] = Decimal(100)
    floor_instance_count: Annotated[int, Field(ge=1)] = 1


class Budget(_Model):
    """Monthly cost budget, alerts and anomaly detection for the project (AWS Budgets allows 5 notifications
    per budget: up to 4 ACTUAL thresholds plus the FORECASTED one, each with 1 SNS + up to 10 e-mail subscribers)."""

    monthly_limit_usd: Annotated[Decimal, Field(gt=0, le=MAX_USD)] | None = None
    actual_thresholds_percent: Annotated[
        list[Annotated[Decimal, Field(gt=0, le=1000)]], Field(min_length=1, max_length=4)
    ] = Field(default_factory=lambda: [Decimal(50), Decimal(80), Decimal(100)])
    forecast_threshold_percent: Annotated[Decimal, Field(gt=0, le=1000)] = Decimal(100)
    alert_emails: Annotated[Emails, Field(max_length=10)] = Field(default_factory=list)
    #: Subscribe to this existing Cost Anomaly Detection monitor instead of creating one on the project's
    #: cost allocation tag (which must be active in Billing before the monitor can see spend).
    anomaly_monitor_arn: (
        Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:ce::\d{12}:anomalymonitor/[a-zA-Z0-9-]+$")] | None
    ) = None
    anomaly_threshold_usd: Annotated[Decimal, Field(gt=0, le=MAX_USD)] = Decimal(100)
    breach_switch: BreachSwitch = Field(default_factory=BreachSwitch)

    @field_validator("actual_thresholds_percent")
    @classmethod
    def _unique(cls, values: list[Decimal]) -> list[Decimal]:
        if len(set(values)) != len(values):
            raise ValueError(f"thresholds must be distinct, got {[str(v) for v in values]}")
        return values


class Alarms(_Model):
    """Operational alarms per endpoint, sent to the alerts topic."""

    errors_5xx_per_5min: Annotated[int, Field(ge=1)] = 5
    model_latency_p90_ms: Annotated[int, Field(ge=1, le=3_600_000)] = 20_000
    #: Alarm when an endpoint has run at its max instance count this long (a cost and availability signal).
    at_max_capacity_minutes: Annotated[int, Field(ge=5, le=1440, multiple_of=5)] = 60


class Reports(_Model):
    """The scheduled cost report: when it runs, which cost metric it reads, who gets the summary."""

    #: Month to date, every day (EventBridge Scheduler cron, six fields).
    daily_cron: Cron = "cron(0 6 * * ? *)"
    #: The closed previous month, on a day its bill has settled (the 5th by default).
    monthly_cron: Cron = "cron(0 7 5 * ? *)"
    time_zone: TimeZone = "UTC"
    cost_metric: Literal["UnblendedCost", "AmortizedCost"] = "UnblendedCost"
    summary_emails: Annotated[Emails, Field(max_length=20)] = Field(default_factory=list)
    #: Days a superseded report version is kept (the current version of each period is kept).
    noncurrent_version_retention_days: Annotated[int, Field(ge=1, le=3650)] = 400
    #: Endpoints whose report metrics carry their own ``EndpointName`` dimension: the N of highest actual cost
    #: in each report (the rest are in the totals). Each is 6 custom metrics per scheduled report type.
    metrics_top_endpoints: Annotated[int, Field(ge=0, le=MAX_METRICS_TOP_ENDPOINTS)] = 20


class Stacks(_Model):
    """How endpoints spread over CloudFormation stacks (README "Hundreds of endpoints")."""

    #: Endpoint stacks a name's hash picks from. Fixed for the life of a project: changing it moves most
    #: endpoints to another stack (a replacement); grow with ``endpoints[].shard`` pins instead.
    endpoint_shards: Annotated[int, Field(ge=1, le=MAX_SHARD + 1)] = 1


GlueName = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,255}$")]
BucketName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]


class Organization(_Model):
    """Organization-wide reports from CUR 2.0 through Athena (checks in ``stacks/config/organization.py``).

    ``mode: account`` (default) reads this account's Cost Explorer. ``mode: organization`` (deploy in the
    management account) reads the organization's CUR 2.0: ``provision: true`` creates the Data Export, its
    bucket, the Glue table and the Athena workgroup; otherwise name the existing ones."""

    mode: Literal["account", "organization"] = "account"
    provision: bool = False
    #: Existing resources (``provision: false``): the Glue database and table over the export, the Athena
    #: workgroup (its result location, encryption and limits are its own), the bucket holding the export
    #: with its prefix, and the workgroup's results bucket.
    database: GlueName | None = None
    table: GlueName | None = None
    workgroup: Annotated[str, Field(pattern=r"^[a-zA-Z0-9._-]{1,128}$")] | None = None
    export_bucket: BucketName | None = None
    export_prefix: Annotated[str, Field(pattern=r"^[a-zA-Z0-9!_.*'()/-]{0,512}$")] = "cur2"
    results_bucket: BucketName | None = None
    #: KMS key of the existing results (and export) buckets, when they are encrypted with one.
    kms_key_arn: (
        Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[a-f0-9-]{36}$")] | None
    ) = None
    #: Athena refuses queries that would scan more (BytesScannedCutoffPerQuery; at least 10 MB).
    bytes_scanned_cutoff_mb: Annotated[int, Field(ge=10, le=10_000_000)] = 10_240
    #: The role the reporter assumes in member accounts (template: ``org/member-read-role.yaml``).
    member_role_name: Annotated[str, Field(pattern=r"^[\w+=,.@-]{1,64}$")] = "infersave-member-read"
    #: The external id that role's trust policy requires; without it the reporter reads no member account.
    member_external_id: (
        Annotated[str, Field(pattern=r"^[A-Za-z0-9_+=,.@:/-]+$", min_length=2, max_length=1224)] | None
    ) = None


class Config(_Model):
    """The whole config file."""

    project: Name
    env: AwsEnv = Field(default_factory=AwsEnv)
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
    budget: Budget = Field(default_factory=Budget)
    alarms: Alarms = Field(default_factory=Alarms)
    reports: Reports = Field(default_factory=Reports)
    organization: Organization = Field(default_factory=Organization)
    stacks: Stacks = Field(default_factory=Stacks)
    tags: Tags = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> Config:
        # SageMaker endpoint names are case-insensitive: "Chat" and "chat" would be the same endpoint.
        names = [e.name.lower() for e in self.endpoints]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"endpoint names must be unique ignoring case (SageMaker names are case-insensitive); "
                f"repeated: {', '.join(duplicates)}"
            )
        return self

    def endpoint_name(self, endpoint: Endpoint) -> str:
        """The SageMaker endpoint name: ``<project>-<endpoint>`` (at most 63 characters)."""
        return f"{self.project}-{endpoint.name}"
