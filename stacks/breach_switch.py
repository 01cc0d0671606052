"""``BreachSwitch`` (opt-in): the budget-guard function subscribed to the alerts topic and re-run hourly. On an
ACTUAL breach of the project's budget, confirmed with AWS Budgets, it lowers the project's endpoints to a floor
and records what it changed as tags."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from constructs import Construct

from lambdas.common import tags
from stacks.breach_recheck import BreachRecheck
from stacks.config import BreachSwitch as BreachSwitchConfig
from stacks.encryption import grant_encrypted_publish
from stacks.nag import acknowledge, arn_in_finding
from stacks.python_function import PythonFunction


class BreachSwitch(Construct):
    """Exposes ``function`` (a ``PythonFunction``) and ``recheck`` (its hourly schedule, ``BreachRecheck``).

    Budget notifications reach it through ``topic`` (the alerts topic it also reports to), or, when the budget
    lives in the billing stack of another region, through ``budget_topic_arn`` in ``budget_topic_region``: a
    cross-region SNS subscription created in the topic's region (``AWS::SNS::Subscription`` ``Region``) and a
    Lambda permission for that topic only. SNS delivers across regions to Lambda only from an opt-in region or
    between regions enabled by default (SNS developer guide, "Prerequisites for integrating Amazon SNS with Lambda
    functions across regions"); the config refuses the other case (``stacks.config.regions``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        project: str,
        budget_name: str,
        config: BreachSwitchConfig,
        topic: sns.ITopic,
        key: kms.IKey,
        budget_topic_arn: str | None = None,
        budget_topic_region: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.function = PythonFunction(
            self,
            "Guard",
            package="budget_guard",
            description=f"infersave {project} breach switch: scales endpoints to the floor on a budget breach",
            environment={
                "PROJECT_NAME": project,
                "BUDGET_NAME": budget_name,
                "ALERTS_TOPIC_ARN": topic.topic_arn,
                "BREACH_THRESHOLD_PERCENT": str(config.threshold_percent),
                "FLOOR_INSTANCE_COUNT": str(config.floor_instance_count),
                "DRY_RUN": "false",
                "POWERTOOLS_METRICS_NAMESPACE": "infersave",
            },
            key=key,
            alarm_topic=topic,
            timeout=cdk.Duration.seconds(60),
            memory_size_mb=256,
            wildcard_reason=(
                "tag:GetResources, application-autoscaling:DescribeScalableTargets and "
                "sagemaker:ListInferenceComponents have no resource-level permissions; SageMaker actions are "
                "limited to this project's endpoints and inference components by name and tag."
            ),
        )
        self._grant(stack, project=project, budget_name=budget_name)
        grant_encrypted_publish(self.function.role, topic, key)
        if budget_topic_arn is None:
            topic.add_subscription(subs.LambdaSubscription(self.function.function))
        else:
            self._subscribe_across_regions(budget_topic_arn, budget_topic_region)
        self.recheck = BreachRecheck(self, "Recheck", function=self.function)

    def _grant(self, stack: cdk.Stack, *, project: str, budget_name: str) -> None:
        """The function's permissions: read its budget, read and lower this project's endpoints only."""
        role = self.function.role
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "tag:GetResources",
                    "application-autoscaling:DescribeScalableTargets",
                    # Which inference components an endpoint hosts (serving: inference_component).
                    "sagemaker:ListInferenceComponents",
                ],
                resources=["*"],
            )
        )
        # DescribeBudget is authorized by budgets:ViewBudget on the budget's ARN, which has no region:
        # arn:${Partition}:budgets::${Account}:budget/${BudgetName} (Service Authorization Reference, AWS Budget
        # Service, resource type "budget").
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["budgets:ViewBudget"],
                resources=[
                    stack.format_arn(
                        service="budgets", region="", resource="budget", resource_name=budget_name
                    )
                ],
            )
        )
        # RegisterScalableTarget's resource is arn:${Partition}:application-autoscaling:${Region}:${Account}:
        # scalable-target/<generated id>: nothing in it names the endpoint, so the ARN pattern is
        # scalable-target/*. It supports the condition keys application-autoscaling:service-namespace,
        # application-autoscaling:scalable-dimension and aws:ResourceTag/${TagKey} (Service Authorization
        # Reference, Application Auto Scaling): only SageMaker variant targets carrying this project's tag
        # (the inference stack tags its scalable targets like every resource) can be changed; a target without
        # the tag, or a new one, cannot be registered.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["application-autoscaling:RegisterScalableTarget"],
                resources=[
                    stack.format_arn(
                        service="application-autoscaling", resource="scalable-target", resource_name="*"
                    )
                ],
                conditions={
                    "StringEquals": {
                        "application-autoscaling:service-namespace": "sagemaker",
                        # Variants (instances) or, on inference-component endpoints, components (copies).
                        "application-autoscaling:scalable-dimension": [
                            "sagemaker:variant:DesiredInstanceCount",
                            "sagemaker:inference-component:DesiredCopyCount",
                        ],
                        f"aws:ResourceTag/{tags.PROJECT}": project,
                    }
                },
            )
        )
        # SageMaker lower-cases endpoint names in ARNs.
        endpoints = stack.format_arn(
            service="sagemaker", resource="endpoint", resource_name=f"{project.lower()}-*"
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "sagemaker:DescribeEndpoint",
                    "sagemaker:UpdateEndpointWeightsAndCapacities",
                    "sagemaker:ListTags",
                    "sagemaker:AddTags",
                    "sagemaker:DeleteTags",
                ],
                resources=[endpoints],
                # The name prefix alone would also match a project named "<project>-x".
                conditions={"StringEquals": {f"aws:ResourceTag/{tags.PROJECT}": project}},
            )
        )
        # Inference components are named <endpoint name>[-<model>] (stacks.config.components.component_name).
        components = stack.format_arn(
            service="sagemaker", resource="inference-component", resource_name=f"{project.lower()}-*"
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "sagemaker:DescribeInferenceComponent",
                    "sagemaker:UpdateInferenceComponentRuntimeConfig",
                ],
                resources=[components],
                conditions={"StringEquals": {f"aws:ResourceTag/{tags.PROJECT}": project}},
            )
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{arn_in_finding(self, 'sagemaker', f'inference-component/{project.lower()}-*')}]",
            "Inference components of this project only: named after its endpoints, and conditioned on the "
            "infersave:project tag the inference stack puts on them.",
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{arn_in_finding(self, 'sagemaker', f'endpoint/{project.lower()}-*')}]",
            "Endpoints of this project only: their names all start with the project name, and every action is "
            "conditioned on the endpoint's infersave:project tag; the set changes with config.",
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{arn_in_finding(self, 'application-autoscaling', 'scalable-target/*')}]",
            "Scalable target ARNs end in a generated id; RegisterScalableTarget is conditioned on the sagemaker "
            "namespace, the variant instance-count dimension and this project's tag on the target.",
        )

    def _subscribe_across_regions(self, topic_arn: str, topic_region: str | None) -> None:
        """Subscribe the function to a topic in another region of the account (no custom resource needed)."""
        function = self.function.function
        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-subscription.html:
        # "Region: for cross-region subscriptions, the region in which the topic resides" (else the stack's).
        subscription = sns.CfnSubscription(
            self,
            "BudgetTopicSubscription",
            topic_arn=topic_arn,
            protocol="lambda",
            endpoint=function.function_arn,
            region=topic_region,
        )
        # The topic's region is enabled by default (the billing home), so the principal is sns.amazonaws.com;
        # a topic in an opt-in region would need sns.<region>.amazonaws.com.
        permission = lambda_.CfnPermission(
            self,
            "BudgetTopicInvoke",
            action="lambda:InvokeFunction",
            function_name=function.function_arn,
            principal="sns.amazonaws.com",
            source_arn=topic_arn,
        )
        subscription.node.add_dependency(permission)
