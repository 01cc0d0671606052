"""The capacity series (a contract between branches: written by the capacity recorder, read by the reporter's idle
and per-component split, replayed by the demo). Changing a name here is a breaking change.

CloudWatch namespace ``infersave/Capacity``, one sample per series every 5 minutes, ``StorageResolution`` 60,
``Timestamp`` the run's scheduled time truncated to the minute (UTC), ``Unit`` ``Count``. A series at zero still
gets its 0 sample, so "at zero" differs from "not sampled". Reading: an hour's ``Average`` x 1 h is that hour's
instance-hours (resp. chip-hours); its ``SampleCount`` / :data:`SAMPLES_PER_HOUR` is the hour's coverage; an hour
without a sample is "not recorded", never 0.
"""

from __future__ import annotations

from typing import Final

NAMESPACE: Final = "infersave/Capacity"
#: ``DescribeEndpoint`` ``ProductionVariants[].CurrentInstanceCount`` (0 when absent); dimensions
#: :data:`ENDPOINT_DIMENSIONS`.
INSTANCE_COUNT: Final = "InstanceCount"
#: ``DescribeInferenceComponent`` ``RuntimeConfig.CurrentCopyCount``; dimensions :data:`COMPONENT_DIMENSIONS`.
COPY_COUNT: Final = "CopyCount"
#: ``CurrentCopyCount`` x ``Specification.ComputeResourceRequirements.NumberOfAcceleratorDevicesRequired``
#: (Inferentia2 chips, ``stacks.config.components``); dimensions :data:`COMPONENT_DIMENSIONS`.
ACCELERATOR_DEVICES_ALLOCATED: Final = "AcceleratorDevicesAllocated"

ENDPOINT_DIMENSION: Final = "EndpointName"
VARIANT_DIMENSION: Final = "VariantName"
COMPONENT_DIMENSION: Final = "InferenceComponentName"
#: Dimension names in the order every sample carries them.
ENDPOINT_DIMENSIONS: Final = (ENDPOINT_DIMENSION, VARIANT_DIMENSION)
COMPONENT_DIMENSIONS: Final = (ENDPOINT_DIMENSION, COMPONENT_DIMENSION)

#: The recorder's schedule (EventBridge Scheduler) and what it means per hour.
SCHEDULE_EXPRESSION: Final = "rate(5 minutes)"
SAMPLE_INTERVAL_MINUTES: Final = 5
SAMPLES_PER_HOUR: Final = 60 // SAMPLE_INTERVAL_MINUTES
#: Seconds: standard resolution (PutMetricData ``StorageResolution``: 60 is standard, 1 high resolution; CloudWatch
#: API reference, MetricDatum). Samples 5 minutes apart need no finer storage.
STORAGE_RESOLUTION_S: Final = 60
UNIT: Final = "Count"
