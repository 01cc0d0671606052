"""Container checks: gated models need a token, each preset's supported precisions, published image tags."""

from __future__ import annotations

from stacks.config.schema import Endpoint
from stacks.dlc_registry import IMAGES_FILE, published_images

#: Hugging Face organisations whose models are gated (a licence must be accepted; downloads need a token).
GATED_ORGS = ("meta-llama", "mistralai", "google")


def container_problems(path: str, endpoint: Endpoint) -> list[str]:
    problems = []
    container = endpoint.container
    org = endpoint.model_id.split("/", 1)[0]
    if (
        container.preset != "custom"
        and org in GATED_ORGS
        and not container.hf_token_secret_name
        and not endpoint.precompiled_artifacts_s3_uri
    ):
        problems.append(
            f"{path}.container.hf_token_secret_name: {endpoint.model_id} is gated on the Hugging Face Hub, so the "
            "container cannot download it without a token; store one in Secrets Manager (JSON key HF_TOKEN) and "
            "name the secret here, or give precompiled_artifacts_s3_uri"
        )
    image = published_images().get(container.preset)
    if image and container.version and container.version not in image.tags:
        # A tag that does not exist fails only at deploy, when SageMaker cannot pull the image.
        problems.append(
            f"{path}.container.version: {container.version} is not a published {container.preset} tag "
            f"(data/{IMAGES_FILE.name}); use one of {', '.join(image.tags[-3:])} or omit it for the default, "
            "or refresh the data (python -m ops.refresh_images) if it was published since"
        )
    if container.preset == "hf-vllm-neuron" and endpoint.precision != "bf16":
        problems.append(
            f"{path}.precision: preset 'hf-vllm-neuron' serves bf16; use bf16, or preset 'hf-tgi-neuron' for fp16"
        )
    return problems
