"""Tag keys that the stacks write and the Lambda functions read. Changing one is a breaking change."""

from typing import Final

PROJECT: Final = "infersave:project"
ENDPOINT: Final = "infersave:endpoint"
BASELINE_INSTANCE_TYPE: Final = "infersave:baseline-instance-type"
BASELINE_CAPACITY_RATIO: Final = "infersave:baseline-capacity-ratio"

#: Keys activated as cost allocation tags so Cost Explorer can group by them.
COST_ALLOCATION_KEYS: Final = (PROJECT, ENDPOINT, BASELINE_INSTANCE_TYPE, BASELINE_CAPACITY_RATIO)
