"""``PythonFunction``: one of infersave's Lambda functions, with the failure handling every one of them needs.

Python 3.13 on arm64, code from ``lambdas/<package>``, Powertools from a bundled layer (one per stack),
X-Ray tracing, a KMS-encrypted log group with retention, and for asynchronous invocations (SNS, EventBridge
Scheduler) two retries (unless the function says otherwise), then an encrypted SQS on-failure queue; an alarm fires on any error.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.lambda_assets import lambda_code_dir, powertools_layer_dir
from stacks.nag import acknowledge


def powertools_layer(scope: Construct) -> lambda_.LayerVersion:
    """The stack's Powertools layer (created on first use)."""
    stack = cdk.Stack.of(scope)
    existing = stack.node.try_find_child("PowertoolsLayer")
    if isinstance(existing, lambda_.LayerVersion):
        return existing
    return lambda_.LayerVersion(
        stack,
        "PowertoolsLayer",
        code=lambda_.Code.from_asset(powertools_layer_dir()),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        description="Powertools for AWS Lambda (Python) with aws-xray-sdk, pure Python, from requirements.lock",
    )


class PythonFunction(Construct):
    """A Lambda function running ``lambdas.<package>.handler.lambda_handler``.

    ``retry_attempts``: Lambda's retries of a failed asynchronous invocation (0-2) before the on-failure queue.
    Exposes ``function``, ``role``, ``failure_queue`` and ``errors_alarm`` / ``dead_letter_alarm`` (None without
    ``alarm_topic``: a function whose failures already surface elsewhere, e.g. as failed stack events).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        package: str,
        description: str,
        environment: dict[str, str],
        key: kms.IKey,
        alarm_topic: sns.ITopic | None,
        timeout: cdk.Duration,
        memory_size_mb: int = 512,
        wildcard_reason: str = "",
        retry_attempts: int = 2,
    ) -> None:
        super().__init__(scope, construct_id)
        log_group = logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.THREE_MONTHS,
            encryption_key=key,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        # The AWS managed key (aws/sqs): the function sends with its own IAM permissions, so no key grant (and
        # none of CDK's wildcard KMS actions) is needed.
        self.failure_queue = sqs.Queue(
            self,
            "OnFailure",
            encryption=sqs.QueueEncryption.KMS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{description} (Lambda execution role)",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler=f"lambdas.{package}.handler.lambda_handler",
            code=lambda_.Code.from_asset(lambda_code_dir()),
            layers=[powertools_layer(self)],
            role=self.role,
            timeout=timeout,
            memory_size=memory_size_mb,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            environment={"POWERTOOLS_SERVICE_NAME": package.replace("_", "-"), **environment},
            retry_attempts=retry_attempts,
            on_failure=destinations.SqsDestination(self.failure_queue),
        )
        # The role writes only to its own log group (no AWSLambdaBasicExecutionRole managed policy).
        log_group.grant_write(self.role)

        self.errors_alarm: cloudwatch.Alarm | None = None
        self.dead_letter_alarm: cloudwatch.Alarm | None = None
        if alarm_topic is not None:
            self._add_alarms(description, alarm_topic)
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Pinned to Python 3.13, the runtime the locked dependencies and the Powertools layer are built and tested "
            "for; a runtime bump goes with a lock update.",
        )
        acknowledge(
            self.failure_queue,
            "AwsSolutions-SQS3",
            "This queue is itself the on-failure destination of the function; a queue behind it would never be read.",
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords (added by tracing) have no resource-level permissions. "
            + wildcard_reason,
        )

    def scheduler_role(self, scope: Construct, construct_id: str, *, description: str) -> iam.Role:
        """A role EventBridge Scheduler of this account assumes to invoke this function and to dead-letter an event
        it could not deliver into the on-failure queue; nothing else."""
        role = iam.Role(
            scope,
            construct_id,
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Stack.of(scope).account}},
            ),
            description=description,
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.function.function_arn])
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.failure_queue.queue_arn])
        )
        return role

    def _add_alarms(self, description: str, topic: sns.ITopic) -> None:
        """An alarm on any error and one on events waiting in the on-failure queue, both notifying ``topic``."""
        self.errors_alarm = cloudwatch.Alarm(
            self,
            "ErrorsAlarm",
            alarm_description=f"{description}: an invocation failed (see its logs; failed events are in the on-failure queue)",
            metric=self.function.metric_errors(period=cdk.Duration.minutes(5), statistic="Sum"),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.errors_alarm.add_alarm_action(cw_actions.SnsAction(topic))
        dead_letters = self.failure_queue.metric_approximate_number_of_messages_visible(
            period=cdk.Duration.minutes(5), statistic="Maximum"
        )
        self.dead_letter_alarm = cloudwatch.Alarm(
            self,
            "OnFailureAlarm",
            alarm_description=f"{description}: events gave up after retries are waiting in the on-failure queue",
            metric=dead_letters,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.dead_letter_alarm.add_alarm_action(cw_actions.SnsAction(topic))
