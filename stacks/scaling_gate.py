"""``ScalingGateFunction``: the Lambda function behind every endpoint's scaling gate (one per stack).

A scaling gate (``Custom::ScalingGate``, created by ``EndpointAutoscaling``) stands before its endpoint in the
stack: when the endpoint's instance type changes, CloudFormation updates the gate first and the function
deregisters the variant's scalable target, because SageMaker refuses to change the instance type of a variant
that is a scalable target ("Update endpoints that use auto scaling",
https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-update.html). Runtime code:
``lambdas/scaling_gate``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.encryption import allow_cloudwatch_logs
from stacks.nag import acknowledge, arn_in_finding
from stacks.python_function import PythonFunction

RESOURCE_TYPE = "Custom::ScalingGate"
#: How long CloudFormation waits for the gate's answer before failing the operation (default 3600 s). Covers
#: the function's timeout and Lambda's two asynchronous retries with their back-off (about 1 and 2 minutes).
SERVICE_TIMEOUT = cdk.Duration.minutes(10)


class ScalingGateFunction(Construct):
    """The scaling gate's function; ``service_token`` is what each gate's ``ServiceToken`` names.

    No alarms: a failed gate fails the deploy that runs it, with its reason in the stack events.
    """

    def __init__(self, scope: Construct, construct_id: str, *, project: str, key: kms.Key) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        allow_cloudwatch_logs(key)
        self.function = PythonFunction(
            self,
            "Gate",
            package="scaling_gate",
            description=f"infersave {project} scaling gate: deregisters a variant's scalable target before "
            "its instance type changes",
            environment={"POWERTOOLS_METRICS_NAMESPACE": "infersave"},
            key=key,
            alarm_topic=None,
            timeout=cdk.Duration.seconds(60),
            memory_size_mb=256,
            wildcard_reason="application-autoscaling:DescribeScalableTargets has no resource-level permissions.",
        )
        self.service_token = self.function.function.function_arn
        role = self.function.role
        # Service Authorization Reference (application-autoscaling): DescribeScalableTargets has no resource
        # type; DeregisterScalableTarget takes a scalable-target ARN, which ends in a generated id (not the
        # endpoint name), so the variants of this stack cannot be named in the policy.
        role.add_to_policy(
            iam.PolicyStatement(actions=["application-autoscaling:DescribeScalableTargets"], resources=["*"])
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["application-autoscaling:DeregisterScalableTarget"],
                resources=[
                    stack.format_arn(
                        service="application-autoscaling", resource="scalable-target", resource_name="*"
                    )
                ],
            )
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{arn_in_finding(self, 'application-autoscaling', 'scalable-target/*')}]",
            "Scalable target ARNs end in a generated id; the gate deregisters only the variant its custom "
            "resource names (endpoint/<name>/variant/<variant>), when that variant's instance type changes or "
            "its endpoint leaves the stack.",
        )
