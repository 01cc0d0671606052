"""Tag keys that the stacks write and the Lambda functions read. Changing one is a breaking change."""

from decimal import Decimal
from typing import Final

PROJECT: Final = "infersave:project"
ENDPOINT: Final = "infersave:endpoint"
BASELINE_INSTANCE_TYPE: Final = "infersave:baseline-instance-type"
BASELINE_CAPACITY_RATIO: Final = "infersave:baseline-capacity-ratio"
#: Where the ratio comes from: ``measured:YYYY-MM-DD`` (a ``make calibrate`` run of that day) or ``assumed``.
CAPACITY_RATIO_SOURCE: Final = "infersave:capacity-ratio-source"
#: Mean input and output tokens per request of the calibration's request mix, as the container counted them
#: (decimal strings); absent when never measured.
INPUT_TOKENS_PER_REQUEST: Final = "infersave:input-tokens-per-request"
OUTPUT_TOKENS_PER_REQUEST: Final = "infersave:output-tokens-per-request"
#: On each inference component: the Hugging Face model id it serves (the cost report names a component's model
#: with it; DescribeInferenceComponent names only the SageMaker model, whose environment holds secrets).
MODEL_ID: Final = "infersave:model-id"
#: Bounds (inclusive) of a capacity ratio, in the config and in the tag: baseline instances per Inferentia2
#: instance. Outside them a figure is a typo or a forged tag, not a measurement; the report leaves the
#: endpoint's savings out.
CAPACITY_RATIO_MIN: Final = Decimal("0.01")
CAPACITY_RATIO_MAX: Final = Decimal(100)

#: Keys activated as cost allocation tags so Cost Explorer can group by them.
COST_ALLOCATION_KEYS: Final = (PROJECT, ENDPOINT, BASELINE_INSTANCE_TYPE, BASELINE_CAPACITY_RATIO)
