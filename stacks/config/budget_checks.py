"""Budget checks: the breach switch needs a limit, one of the ACTUAL thresholds, and a floor under every min."""

from __future__ import annotations

from stacks.config.schema import Config


def budget_problems(config: Config) -> list[str]:
    budget = config.budget
    switch = budget.breach_switch
    problems = []
    if switch.enabled and budget.monthly_limit_usd is None:
        problems.append(
            "budget.breach_switch.enabled: the breach switch acts on budget alerts; set budget.monthly_limit_usd"
        )
    if switch.enabled and switch.threshold_percent not in budget.actual_thresholds_percent:
        thresholds = ", ".join(str(t) for t in budget.actual_thresholds_percent)
        problems.append(
            f"budget.breach_switch.threshold_percent: {switch.threshold_percent} is not one of "
            f"actual_thresholds_percent [{thresholds}]; AWS Budgets alerts once per threshold and month, so add it "
            "there or the switch never fires"
        )
    floor = switch.floor_instance_count
    if switch.enabled:
        for index, endpoint in enumerate(config.endpoints):
            if floor > endpoint.instances.min:
                problems.append(
                    f"budget.breach_switch.floor_instance_count: {floor} is above endpoints[{index}].instances.min "
                    f"{endpoint.instances.min}; the floor must be <= every endpoint's min"
                )
    return problems
