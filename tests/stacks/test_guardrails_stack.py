"""CDK assertions on the guardrails stack: budget, key and topic policies, anomaly alerts, alarms, breach switch."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match

from tests.stacks.conftest import Synth

PUBLISHERS = ["budgets.amazonaws.com", "costalerts.amazonaws.com", "cloudwatch.amazonaws.com"]


def _only(resources: dict[str, Any]) -> dict[str, Any]:
    assert len(resources) == 1, list(resources)
    return dict(next(iter(resources.values()))["Properties"])


def test_budget_filters_on_project_tag_and_sagemaker(synth: Synth) -> None:
    t = synth.default["guardrails"]
    props = _only(t.find_resources("AWS::Budgets::Budget"))
    assert props["Budget"] == {
        "BudgetName": "infersave-demo-llm",
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": 10000, "Unit": "USD"},
        "CostFilters": {"TagKeyValue": ["user:infersave:project$demo-llm"], "Service": ["Amazon SageMaker"]},
    }
    notifications = [n["Notification"] for n in props["NotificationsWithSubscribers"]]
    assert notifications == [
        {
            "NotificationType": "ACTUAL",
            "ComparisonOperator": "GREATER_THAN",
            "Threshold": t_,
            "ThresholdType": "PERCENTAGE",
        }
        for t_ in (50, 80, 100)
    ] + [
        {
            "NotificationType": "FORECASTED",
            "ComparisonOperator": "GREATER_THAN",
            "Threshold": 100,
            "ThresholdType": "PERCENTAGE",
        }
    ]
    topic_id = next(k for k in t.find_resources("AWS::SNS::Topic") if k.startswith("AlertsTopic"))
    for n in props["NotificationsWithSubscribers"]:
        # The topic only: its e-mail subscription delivers each alert once (test_alerts_once).
        assert n["Subscribers"] == [{"SubscriptionType": "SNS", "Address": {"Ref": topic_id}}]


def test_key_policy_lets_alert_publishers_use_the_key(synth: Synth) -> None:
    t = synth.default["guardrails"]
    keys = t.find_resources("AWS::KMS::Key")
    policy = next(v for k, v in keys.items() if k.startswith("AlertsKey"))["Properties"]["KeyPolicy"]
    statement = next(s for s in policy["Statement"] if s.get("Sid") == "AllowAlertPublishersToUseTheKey")
    assert sorted(statement["Principal"]["Service"]) == sorted(PUBLISHERS)
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert (
        next(v for k, v in keys.items() if k.startswith("AlertsKey"))["Properties"]["EnableKeyRotation"]
        is True
    )


def test_topic_is_encrypted_tls_only_and_publishers_are_scoped(synth: Synth) -> None:
    t = synth.default["guardrails"]
    t.has_resource_properties(
        "AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^AlertsKey"), "Arn"]}}
    )
    statements = _only(t.find_resources("AWS::SNS::TopicPolicy"))["PolicyDocument"]["Statement"]
    deny = [s for s in statements if s["Effect"] == "Deny"]
    assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    allowed = {s["Principal"]["Service"]: s for s in statements if s["Effect"] == "Allow"}
    assert sorted(allowed) == sorted(PUBLISHERS)
    for statement in allowed.values():
        assert statement["Action"] == "sns:Publish"
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_anomaly_monitor_on_project_tag_and_subscription_threshold(synth: Synth) -> None:
    t = synth.default["guardrails"]
    monitor = _only(t.find_resources("AWS::CE::AnomalyMonitor"))
    assert monitor["MonitorType"] == "CUSTOM"
    assert json.loads(monitor["MonitorSpecification"]) == {
        "Tags": {"Key": "infersave:project", "Values": ["demo-llm"], "MatchOptions": ["EQUALS"]}
    }
    subscription = _only(t.find_resources("AWS::CE::AnomalySubscription"))
    assert subscription["Frequency"] == "IMMEDIATE"
    assert subscription["Subscribers"][0]["Type"] == "SNS"
    assert json.loads(subscription["ThresholdExpression"]) == {
        "Dimensions": {
            "Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
            "Values": ["100"],
        }
    }


def test_alarms_per_endpoint(synth: Synth) -> None:
    t = synth.default["guardrails"]
    # Three per watched unit: qwen3-8b's variant, zephyr-7b's one component, qwen3-8b-b32's two components;
    # plus at max instances for each of the two inference-component endpoints.
    t.resource_count_is("AWS::CloudWatch::Alarm", 14)
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "infersave/Capacity",
            "MetricName": "InstanceCount",
            "Dimensions": [
                {"Name": "EndpointName", "Value": "demo-llm-qwen3-8b-b32"},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
            "Statistic": "Minimum",
            "Threshold": 2,
            "EvaluationPeriods": 12,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
        },
    )
    dims = [
        {"Name": "EndpointName", "Value": "demo-llm-qwen3-8b"},
        {"Name": "VariantName", "Value": "AllTraffic"},
    ]
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "Invocation5XXErrors",
            "Namespace": "AWS/SageMaker",
            "Dimensions": dims,
            "Statistic": "Sum",
            "Threshold": 5,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "AlarmActions": [{"Ref": Match.string_like_regexp("^AlertsTopic")}],
        },
    )
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ModelLatency",
            "Dimensions": dims,
            "ExtendedStatistic": "p90",
            "Threshold": 20_000_000,
        },
    )
    # At max capacity (4) for 60 minutes = 12 periods of 5 minutes of Invocations / InvocationsPerInstance.
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "EvaluationPeriods": 12,
            "Threshold": 3.5,
            "Metrics": Match.array_with(
                [Match.object_like({"Expression": "IF(perInstance > 0, invocations / perInstance, 0)"})]
            ),
            "AlarmDescription": Match.string_like_regexp("demo-llm-qwen3-8b: at its max of 4 instances"),
        },
    )


def test_estimate_recorded_in_template(synth: Synth) -> None:
    template = synth.default["guardrails"].to_json()
    estimate = template["Metadata"]["infersave:estimate"]
    assert estimate["total_min_usd"] == "7132.10"  # demo-llm-zephyr-7b scales to zero: no minimum
    assert estimate["total_max_usd"] == "15709.60"
    assert template["Outputs"]["EstimatedMonthlyAtMax"]["Value"] == "USD 15,709.60"


def test_no_breach_switch_unless_enabled(synth: Synth) -> None:
    synth.default["guardrails"].resource_count_is("AWS::Lambda::Function", 0)


def test_breach_switch_function_subscription_and_least_privilege(synth: Synth) -> None:
    t = synth.full["guardrails"]
    t.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.13",
            "Architectures": ["arm64"],
            "Handler": "lambdas.budget_guard.handler.lambda_handler",
            "TracingConfig": {"Mode": "Active"},
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "PROJECT_NAME": "fullcfg",
                        "BUDGET_NAME": "infersave-fullcfg",
                        "BREACH_THRESHOLD_PERCENT": "100",
                        "FLOOR_INSTANCE_COUNT": "1",
                        "DRY_RUN": "false",
                    }
                )
            },
        },
    )
    t.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "lambda"})
    t.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {"MaximumRetryAttempts": 2, "DestinationConfig": {"OnFailure": {"Destination": Match.any_value()}}},
    )
    statements = [
        s
        for p in t.find_resources("AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        assert all(not a.endswith(":*") and a != "*" for a in actions), actions
        if s["Resource"] == "*":
            assert set(actions) <= {
                "tag:GetResources",
                "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:RegisterScalableTarget",
                "sagemaker:ListInferenceComponents",  # no resource-level permissions
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
            }, actions
    sagemaker = next(s for s in statements if "sagemaker:UpdateEndpointWeightsAndCapacities" in s["Action"])
    assert sagemaker["Resource"] == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":sagemaker:us-east-1:123456789012:endpoint/fullcfg-*"],
        ]
    }
    assert not any("sagemaker:DescribeEndpointConfig" in s["Action"] for s in statements)  # not used
    # Failures are visible: errors alarm and on-failure queue alarm notify the alerts topic.
    t.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "Errors", "Namespace": "AWS/Lambda"})
    t.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "ApproximateNumberOfMessagesVisible"})
    t.has_resource_properties("AWS::SQS::Queue", {"KmsMasterKeyId": Match.any_value()})


def _guard_statements(synth: Synth) -> list[dict[str, Any]]:
    return [
        s
        for p in synth.full["guardrails"].find_resources("AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_breach_switch_reads_only_its_own_budget(synth: Synth) -> None:
    # budgets:ViewBudget authorizes DescribeBudget; the budget ARN has no region (Service Authorization
    # Reference, AWS Budget Service).
    view = [s for s in _guard_statements(synth) if s["Action"] == "budgets:ViewBudget"]
    assert [s["Resource"] for s in view] == [
        {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":budgets::123456789012:budget/infersave-fullcfg"],
            ]
        }
    ]


def test_breach_switch_registers_only_this_projects_sagemaker_targets(synth: Synth) -> None:
    register = next(
        s for s in _guard_statements(synth) if s["Action"] == "application-autoscaling:RegisterScalableTarget"
    )
    assert register["Condition"] == {
        "StringEquals": {
            "application-autoscaling:service-namespace": "sagemaker",
            "application-autoscaling:scalable-dimension": [
                "sagemaker:variant:DesiredInstanceCount",
                "sagemaker:inference-component:DesiredCopyCount",
            ],
            "aws:ResourceTag/infersave:project": "fullcfg",
        }
    }
    # The condition only holds if the inference stack's scalable targets carry the project tag (variant
    # targets, and the copy-count targets of inference components).
    for template, project in ((synth.full["inference"], "fullcfg"), (synth.components["inference"], "comp")):
        for target in template.find_resources("AWS::ApplicationAutoScaling::ScalableTarget").values():
            assert {"Key": "infersave:project", "Value": project} in target["Properties"]["Tags"]
    # Inference components carry it too: the switch's SageMaker component actions are conditioned on it.
    for component in (
        synth.components["inference"].find_resources("AWS::SageMaker::InferenceComponent").values()
    ):
        assert {"Key": "infersave:project", "Value": "comp"} in component["Properties"]["Tags"]


def test_breach_switch_rechecks_hourly_through_scheduler(synth: Synth) -> None:
    from lambdas.budget_guard.messages import RECHECK_EVENT

    t = synth.full["guardrails"]
    t.has_resource_properties(
        "AWS::Scheduler::Schedule",
        {
            "ScheduleExpression": "rate(1 hour)",
            "Target": Match.object_like(
                {
                    "Input": json.dumps(RECHECK_EVENT),
                    "DeadLetterConfig": {"Arn": Match.any_value()},
                    "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 1800},
                }
            ),
        },
    )
    t.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": Match.object_like(
                {
                    "Statement": [
                        Match.object_like(
                            {
                                "Principal": {"Service": "scheduler.amazonaws.com"},
                                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                            }
                        )
                    ]
                }
            )
        },
    )
