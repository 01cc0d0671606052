"""Budget breach switch: lowers a project's SageMaker endpoints to a floor when its AWS Budget is breached.

Runtime code only; the CDK construct that deploys it lives with the guardrails stack. Modules:
``handler`` (Lambda entry point), ``settings`` (environment), ``messages`` (SNS message classification),
``planner`` (what to change, pure), ``aws`` (AWS reads and writes), ``service`` (orchestration),
``cli`` (``python -m lambdas.budget_guard``: restore and manual apply).
"""
