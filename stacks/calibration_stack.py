"""``CalibrationStack``: the temporary GPU baseline endpoint of one calibration (``make calibrate``).

``infersave-<project>-calibration-<endpoint>``: one ``ml.g*``/``ml.p*`` instance of the endpoint's
``baseline.instance_type`` serving the same model at the same sizes with the GPU image of the same engine
(``data/container_images.json`` ``gpu_baselines``), through the same ``Inf2Endpoint`` construct (its own role,
model, endpoint config and endpoint). ``ops.calibrate`` synthesizes it on its own (never part of ``cdk deploy
--all``), deploys it, measures, and deletes it, also on failure or Ctrl-C.

The endpoint is tagged ``infersave:calibration-baseline-of`` and not ``infersave:project``: the cost reporter
lists the project's Inferentia2 endpoints by that tag and must not take the baseline for one of them.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from lambdas.common import tags
from lambdas.common.catalog import load_catalog
from stacks.config import Config, Endpoint
from stacks.inf2_endpoint import GpuServing, Inf2Endpoint

#: Tag on the baseline endpoint naming the endpoint it is the baseline of.
CALIBRATION_TAG = "infersave:calibration-baseline-of"


def calibration_stack_name(config: Config, endpoint: Endpoint) -> str:
    """``infersave-<project>-calibration-<endpoint>``."""
    return f"infersave-{config.project}-calibration-{endpoint.name}"


def baseline_endpoint_name(config: Config, endpoint: Endpoint) -> str:
    """The baseline endpoint's name: the Inferentia2 endpoint's with ``-gpu`` (63 characters at most)."""
    return f"{config.endpoint_name(endpoint)[:59]}-gpu"


class CalibrationStack(cdk.Stack):
    """One GPU baseline endpoint for ``endpoint`` (output ``BaselineEndpointName``)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: Config, endpoint: Endpoint, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        key = None
        if not load_catalog().instances[endpoint.baseline.instance_type].local_nvme:
            # GPU types with NVMe instance storage refuse a volume key (encrypted by the instance); others get one.
            key = kms.Key(
                self,
                "VolumeKey",
                enable_key_rotation=True,
                description=f"Encrypts the ML storage volume of the calibration baseline of {endpoint.name}",
                removal_policy=cdk.RemovalPolicy.DESTROY,  # a temporary endpoint's volume: nothing to keep
                pending_window=cdk.Duration.days(7),
            )
        name = baseline_endpoint_name(config, endpoint)
        self.baseline = Inf2Endpoint(
            self,
            "Baseline",
            endpoint=endpoint,
            endpoint_name=name,
            volume_key=key,
            gpu=GpuServing.for_endpoint(endpoint),
        )
        cdk.Tags.of(self.baseline).add(CALIBRATION_TAG, config.endpoint_name(endpoint))
        cdk.Tags.of(self.baseline).add(tags.BASELINE_INSTANCE_TYPE, endpoint.baseline.instance_type)
        cdk.CfnOutput(self, "BaselineEndpointName", value=name)
