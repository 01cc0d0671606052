"""Inference components: serving mode, scale to zero, NeuronCores per copy and the packing of copies.

Facts this module relies on (each checked against its source):

- Scale to zero needs inference components: "An endpoint can scale to and from zero instances only if it hosts
  inference components", with ``ManagedInstanceScaling.MinInstanceCount`` 0 in the endpoint config (SageMaker
  developer guide, "Scale an endpoint to zero instances", endpoint-auto-scaling-zero-instances.html).
- A copy's accelerators are ``ComputeResourceRequirements.NumberOfAcceleratorDevicesRequired`` ("The number of
  accelerators ... Accelerators include GPUs and AWS Inferentia", API reference
  InferenceComponentComputeResourceRequirements; a Number, minimum 1). The documentation does not say whether an
  Inferentia2 accelerator is a chip or a NeuronCore. EC2 counts Inferentia2 as ``NeuronInfo.NeuronDevices``
  (chips), each with ``CoreInfo.Count`` 2 NeuronCores (EC2 API NeuronDeviceInfo / NeuronDeviceCoreInfo), and
  the Neuron docs call a chip a "Neuron device" (inf2-arch). infersave therefore asks for whole chips: a copy's
  NeuronCores (its tensor-parallel degree) must be a multiple of the 2 cores of a chip, and
  NumberOfAcceleratorDevicesRequired = cores / 2. Two copies never share a chip, which is right under either
  reading (a core-counting placement would also place each copy on its own cores). AWS's own usage confirms
  chips: the JumpStart spec of ``meta-textgenerationneuron-llama-2-7b`` (default ``ml.inf2.xlarge``,
  ``OPTION_TENSOR_PARALLEL_DEGREE`` 2, i.e. one chip's two cores) asks ``hosting_resource_requirements
  {"num_accelerators": 1}``, which the SageMaker Python SDK sends as NumberOfAcceleratorDevicesRequired
  (aws/sagemaker-python-sdk v2.257.6 ``tests/unit/sagemaker/jumpstart/constants.py`` and
  ``src/sagemaker/compute_resource_requirements/resource_requirements.py``); counting cores would need 2. No
  source found counts NeuronCores.
- A copy runs on one instance: its accelerators must fit one instance (placement is per instance; a copy is one
  container).
"""

from __future__ import annotations

import math

from lambdas.common.catalog import Catalog, InstanceSpec
from stacks.config.schema import ComponentModel, Config, Endpoint

#: NeuronCores per Inferentia2 chip (Neuron docs, inf2-arch: "each with two NeuronCore-v2").
CORES_PER_CHIP = 2


def model_views(path: str, endpoint: Endpoint) -> list[tuple[str, Endpoint]]:
    """Each model an endpoint serves, as an ``Endpoint`` the single-model checks (``neuron_fit``,
    ``neuron_cache``, ``containers``) understand, with the config path its problems name. The endpoint's own
    model comes first; further component models inherit its instance type and everything they do not set."""
    views = [(path, endpoint)]
    if endpoint.serving != "inference_component":
        return views
    for index, model in enumerate(endpoint.component_settings.models):
        views.append((f"{path}.components.models[{index}]", as_endpoint(endpoint, model)))
    return views


def as_endpoint(endpoint: Endpoint, model: ComponentModel) -> Endpoint:
    """A component model seen as an endpoint of its own on the same instance type."""
    return endpoint.model_copy(
        update={
            "name": model.name,
            "model_id": model.model_id,
            "parameters_billion": model.parameters_billion,
            "precision": model.precision,
            "container": model.container,
            "tensor_parallel_degree": model.tensor_parallel_degree,
            "batch_size": model.batch_size,
            "max_sequence_length": model.max_sequence_length,
            "precompiled_artifacts_s3_uri": model.precompiled_artifacts_s3_uri,
            "artifacts_kms_key_arn": None,
            "compile_at_startup": model.compile_at_startup,
            "components": None,
        }
    )


def component_name(endpoint_name: str, endpoint: Endpoint, model: Endpoint) -> str:
    """The inference component's name: the endpoint's name for its own model, ``<endpoint>-<model>`` for the
    others (names are unique per account and region, 63 characters at most: CreateInferenceComponent)."""
    return endpoint_name if model.name == endpoint.name else f"{endpoint_name}-{model.name}"


def chips_per_copy(neuron_cores: int) -> int:
    """NumberOfAcceleratorDevicesRequired of a copy using ``neuron_cores`` NeuronCores (see module doc)."""
    return math.ceil(neuron_cores / CORES_PER_CHIP)


def copies_per_instance(spec: InstanceSpec, neuron_cores: int) -> int:
    return spec.chips // chips_per_copy(neuron_cores)


def pack(spec: InstanceSpec, copies: list[tuple[str, int, int]]) -> int:
    """Instances first-fit-decreasing packing needs for ``copies`` = [(model, count, NeuronCores per copy)]
    (chips only: a copy never spans instances). An upper bound on what SageMaker's placement needs."""
    free: list[int] = []
    demand = sorted((chips_per_copy(cores) for _, count, cores in copies for _ in range(count)), reverse=True)
    for chips in demand:
        for index, left in enumerate(free):
            if left >= chips:
                free[index] -= chips
                break
        else:
            free.append(spec.chips - chips)
    return len(free)


def component_problems(path: str, config: Config, endpoint: Endpoint, catalog: Catalog) -> list[str]:
    """Serving-mode rules of one endpoint; for inference components also cores per copy and packing."""
    off_hours_min = endpoint.off_hours.min_capacity if endpoint.off_hours else None
    if endpoint.serving == "instance":
        problems = []
        if endpoint.components is not None:
            problems.append(
                f"{path}.components: set, but serving is 'instance'; set serving: inference_component or "
                "remove components"
            )
        if endpoint.instances.min == 0:
            problems.append(
                f"{path}.instances.min: 0 needs inference components (scale to zero); set serving: "
                "inference_component with components.scale_to_zero.enabled: true, or use 1"
            )
        if off_hours_min == 0:
            problems.append(
                f"{path}.off_hours.min_capacity: 0 needs inference components (scale to zero); set serving: "
                "inference_component with components.scale_to_zero.enabled: true, or use 1"
            )
        return problems
    spec = catalog.get(endpoint.instance_type)
    if spec is None or not spec.is_inferentia2:
        return []  # neuron_fit names the instance type
    settings = endpoint.component_settings
    problems = _scale_to_zero_problems(path, endpoint, off_hours_min)
    names = [endpoint.name.lower()] + [m.name.lower() for m in settings.models]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(
            f"{path}.components.models: names must differ from each other and from the endpoint's ignoring case "
            f"(each names an inference component); repeated: {', '.join(repeated)}"
        )
    for model_path, view in model_views(path, endpoint):
        problems += _cores_problems(model_path, view, spec)
    if problems:
        return problems
    copies = [(endpoint.name, settings.copies.max, endpoint.tensor_parallel_degree)] + [
        (m.name, m.copies.max, m.tensor_parallel_degree) for m in settings.models
    ]
    needed = pack(spec, copies)
    if needed > endpoint.instances.max:
        listed = ", ".join(f"{count} x {name} ({cores} cores)" for name, count, cores in copies)
        problems.append(
            f"{path}.instances.max: the most copies ({listed}) need {needed} {spec.instance_type} "
            f"({spec.neuron_cores} NeuronCores each, copies do not span instances), but instances.max is "
            f"{endpoint.instances.max}; raise instances.max to {needed} or lower components copies.max"
        )
    for model_path, model in model_views(path, endpoint)[1:]:
        name = component_name(config.endpoint_name(endpoint), endpoint, model)
        if len(name) > 63:
            problems.append(
                f"{model_path}.name: inference component name {name!r} exceeds 63 characters; shorten it"
            )
    return problems


def component_name_problems(config: Config) -> list[str]:
    """Two models of the config must not get the same inference component name (or an endpoint's name that is
    another endpoint's component): AWS keeps one name per account and region."""
    seen: dict[str, str] = {}
    problems = []
    for index, endpoint in enumerate(config.endpoints):
        if endpoint.serving != "inference_component":
            continue
        for model_path, model in model_views(f"endpoints[{index}]", endpoint):
            name = component_name(config.endpoint_name(endpoint), endpoint, model).lower()
            if name in seen:
                problems.append(
                    f"{model_path}.name: inference component name {name!r} is also {seen[name]}'s; rename one"
                )
            seen[name] = model_path
    return problems


def _scale_to_zero_problems(path: str, endpoint: Endpoint, off_hours_min: int | None) -> list[str]:
    settings = endpoint.component_settings
    problems = []
    all_min = [(f"{path}.components.copies.min", settings.copies.min)] + [
        (f"{path}.components.models[{i}].copies.min", m.copies.min) for i, m in enumerate(settings.models)
    ]
    if settings.scale_to_zero.enabled:
        if endpoint.instances.min != 0:
            problems.append(
                f"{path}.instances.min: {endpoint.instances.min} keeps instances running, so scale to zero "
                "cannot happen; set instances.min: 0 or components.scale_to_zero.enabled: false"
            )
        for field, value in all_min:
            if value != 0:
                problems.append(
                    f"{field}: {value} keeps a copy (and its instance) running, so the endpoint never reaches "
                    "zero; set it to 0 or components.scale_to_zero.enabled: false"
                )
    else:
        if endpoint.instances.min == 0:
            problems.append(
                f"{path}.instances.min: 0 needs components.scale_to_zero.enabled: true (its scale-out-from-zero "
                "alarm is what brings an instance back); enable it or use 1"
            )
        for field, value in all_min:
            if value == 0:
                problems.append(
                    f"{field}: 0 without scale to zero leaves the model unanswered with nothing to bring a copy "
                    "back; set components.scale_to_zero.enabled: true or use 1"
                )
        if off_hours_min == 0:
            problems.append(
                f"{path}.off_hours.min_capacity: 0 needs components.scale_to_zero.enabled: true; enable it or use 1"
            )
    return problems


def _cores_problems(path: str, view: Endpoint, spec: InstanceSpec) -> list[str]:
    cores = view.tensor_parallel_degree
    if cores % CORES_PER_CHIP or cores > spec.neuron_cores:
        fits = list(range(CORES_PER_CHIP, spec.neuron_cores + 1, CORES_PER_CHIP))
        return [
            f"{path}.tensor_parallel_degree: {cores} NeuronCores per copy; an inference component asks for whole "
            f"Inferentia2 chips ({CORES_PER_CHIP} cores each) on one {spec.instance_type} "
            f"({spec.neuron_cores} cores), so use an even number up to {spec.neuron_cores} "
            f"({', '.join(map(str, fits))})"
        ]
    return []
