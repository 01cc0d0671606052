"""Deep Learning Containers registry accounts per region, for the Hugging Face Neuron images.

Source: aws/sagemaker-python-sdk ``src/sagemaker/image_uri_config/huggingface-llm-neuronx.json`` (read
2026-11-28). Plain data: the config validation and the containers module both read it.
"""

from __future__ import annotations

#: DLC registry account per region, where it is not the default 763104351884.
DLC_REGISTRY_EXCEPTIONS = {
    "ap-south-2": "772153158452",
    "ap-southeast-4": "457447274322",
    "ap-southeast-5": "550225433462",
    "ap-southeast-7": "590183813437",
    "ca-west-1": "204538143572",
    "cn-north-1": "727897471807",
    "cn-northwest-1": "727897471807",
    "eu-central-2": "380420809688",
    "eu-south-2": "503227376785",
    "il-central-1": "780543022126",
    "mx-central-1": "637423239942",
    "us-gov-east-1": "446045086412",
    "us-gov-west-1": "442386744353",
}
DLC_DEFAULT_REGISTRY = "763104351884"
#: Regions that offer ml.inf2 hosting and the Hugging Face Neuron DLCs (same source as above).
DLC_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-west-1",
    "eu-west-3",
    "sa-east-1",
    *DLC_REGISTRY_EXCEPTIONS,
)


def registry_account(region: str) -> str:
    """The DLC registry account that serves ``region``."""
    return DLC_REGISTRY_EXCEPTIONS.get(region, DLC_DEFAULT_REGISTRY)
