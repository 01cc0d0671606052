"""CDK assertions on the cost stack: reporter function, schedules, bucket, topic, dashboard, IAM."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match

from tests.stacks.conftest import Synth


def _statements(template: Any) -> list[dict[str, Any]]:
    return [
        s
        for p in template.find_resources("AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_reporter_function_settings(synth: Synth) -> None:
    t = synth.default["cost"]
    t.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.13",
            "Architectures": ["arm64"],
            "Handler": "lambdas.cost_reporter.handler.lambda_handler",
            "TracingConfig": {"Mode": "Active"},
            "Timeout": 900,
            "Layers": [{"Ref": Match.string_like_regexp("^PowertoolsLayer")}],
            "Environment": {
                "Variables": {
                    "REPORTS_BUCKET": {"Ref": Match.string_like_regexp("^Reports")},
                    "SUMMARY_TOPIC_ARN": {"Ref": Match.string_like_regexp("^Summary")},
                    "PROJECT_NAME": "demo-llm",
                    "COST_METRIC": "UnblendedCost",
                    "METRICS_TOP_ENDPOINTS": "20",
                    "DEFAULT_BASELINE_INSTANCE_TYPE": "ml.g5.2xlarge",
                    "DEFAULT_BASELINE_CAPACITY_RATIO": "1.0",
                    "POWERTOOLS_SERVICE_NAME": "cost-reporter",
                    "POWERTOOLS_METRICS_NAMESPACE": "infersave",
                    "REPORT_LINK_ROLE_ARN": {
                        "Fn::GetAtt": [Match.string_like_regexp("ReportLinkRole"), "Arn"]
                    },
                }
            },
        },
    )
    t.has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {"CompatibleRuntimes": ["python3.13"], "CompatibleArchitectures": ["arm64"]},
    )


def test_schedules_daily_and_monthly_with_retries_and_dead_letters(synth: Synth) -> None:
    t = synth.default["cost"]
    inputs = [
        (json.loads(p["Properties"]["Target"]["Input"]), p["Properties"])
        for p in t.find_resources("AWS::Scheduler::Schedule").values()
    ]
    schedules = {event["period"]: props for event, props in inputs if "period" in event}
    assert schedules["month_to_date"]["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert schedules["previous_month"]["ScheduleExpression"] == "cron(0 7 5 * ? *)"
    for props in schedules.values():
        assert props["ScheduleExpressionTimezone"] == "UTC"
        assert props["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
        assert "Fn::GetAtt" in props["Target"]["DeadLetterConfig"]["Arn"]
    statements = _statements(t)
    invokes = [s["Resource"] for s in statements if s["Action"] == "lambda:InvokeFunction"]
    function_ids = list(t.find_resources("AWS::Lambda::Function"))
    reporter_id = next(k for k in function_ids if k.startswith("CostReporter"))
    recorder_id = next(k for k in function_ids if k.startswith("CapacityRecorder"))
    assert sorted(invokes, key=str) == sorted(
        [{"Fn::GetAtt": [reporter_id, "Arn"]}, {"Fn::GetAtt": [recorder_id, "Arn"]}], key=str
    ), "each scheduler role may invoke its own function only"


def test_reports_bucket_is_encrypted_versioned_tls_only_logged(synth: Synth) -> None:
    t = synth.default["cost"]
    t.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    Match.object_like(
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": Match.any_value(),
                            }
                        }
                    )
                ]
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LoggingConfiguration": {
                "DestinationBucketName": Match.any_value(),
                "LogFilePrefix": "reports-bucket/",
            },
            "LifecycleConfiguration": {
                "Rules": [
                    Match.object_like(
                        {"NoncurrentVersionExpiration": {"NoncurrentDays": 400}, "Status": "Enabled"}
                    )
                ]
            },
        },
    )
    for policy in t.find_resources("AWS::S3::BucketPolicy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        )


def test_reporter_iam_is_least_privilege(synth: Synth) -> None:
    t = synth.default["cost"]
    statements = _statements(t)
    wildcard_ok = {
        "tag:GetResources",
        "tag:TagResources",
        "ce:GetCostAndUsage",
        "ce:UpdateCostAllocationTagsStatus",
        "cloudwatch:ListMetrics",
        "cloudwatch:GetMetricData",
        "pricing:GetProducts",
        "sagemaker:ListInferenceComponents",  # the capacity recorder's
        "cloudwatch:PutMetricData",  # the capacity recorder's, conditioned on its namespace
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        assert all("*" not in a for a in actions), actions
        if s["Resource"] == "*":
            assert set(actions) <= wildcard_ok, actions
    add_tags = next(s for s in statements if s["Action"] == "sagemaker:AddTags")
    assert add_tags["Condition"] == {
        "StringEquals": {"aws:ResourceTag/infersave:project": "demo-llm"},
        "ForAllValues:StringEquals": {
            "aws:TagKeys": [
                "infersave:project",
                "infersave:endpoint",
                "infersave:baseline-instance-type",
                "infersave:baseline-capacity-ratio",
            ]
        },
    }
    put = next(s for s in statements if s["Action"] == "s3:PutObject")
    assert put["Resource"]["Fn::Join"][1][-1] == "/reports/*"
    listing = next(s for s in statements if s["Action"] == "s3:ListBucket")
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["calibrations/*"]}}
    reads = [s for s in statements if s["Action"] == "s3:GetObject"]
    assert sorted(r["Resource"]["Fn::Join"][1][-1] for r in reads) == [
        "/calibrations/*",
        "/reports/*/report.html",
    ]


def test_the_report_link_role_only_reads_pages_for_one_hour_sessions_of_the_reporter(synth: Synth) -> None:
    t = synth.default["cost"]
    (link_id,) = [i for i in t.find_resources("AWS::IAM::Role") if "ReportLinkRole" in i]
    role = t.find_resources("AWS::IAM::Role")[link_id]["Properties"]
    assert role["MaxSessionDuration"] == 3600
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert "Reporter" in trust["Principal"]["AWS"]["Fn::GetAtt"][0]
    link_policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in t.find_resources("AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": link_id}]
    ]
    (statements,) = link_policies
    assert [s["Action"] for s in statements] == ["s3:GetObject", "kms:Decrypt"]
    assert statements[0]["Resource"]["Fn::Join"][1][-1] == "/reports/*/report.html"
    assert statements[1]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    assume = [s for s in _statements(t) if s["Action"] == "sts:AssumeRole"]
    assert [s["Resource"] for s in assume] == [{"Fn::GetAtt": [link_id, "Arn"]}]


def test_dashboard_and_outputs(synth: Synth) -> None:
    t = synth.default["cost"]
    props = next(iter(t.find_resources("AWS::CloudWatch::Dashboard").values()))["Properties"]
    assert props["DashboardName"] == "infersave-demo-llm-savings"
    body = json.dumps(props["DashboardBody"])
    for needle in ("ActualCost", "BaselineCost", "Savings", "demo-llm-qwen3-8b-b32", "Invocations"):
        assert needle in body
    outputs = t.to_json()["Outputs"]
    assert {"ReportsBucketName", "SummaryTopicArn", "ReporterFunctionName", "DashboardName"} <= set(outputs)


def test_past_the_top_endpoints_the_dashboard_draws_two_search_graphs(synth: Synth) -> None:
    # shardcfg: 6 endpoints, reports.metrics_top_endpoints 2.
    t = synth.sharded["cost"]
    t.has_resource_properties(
        "AWS::Lambda::Function",
        {"Environment": {"Variables": Match.object_like({"METRICS_TOP_ENDPOINTS": "2"})}},
    )
    props = next(iter(t.find_resources("AWS::CloudWatch::Dashboard").values()))["Properties"]
    body = json.dumps(props["DashboardBody"])
    assert body.count("SEARCH(") == 2
    assert "the 2 most expensive endpoints" in body
    assert "shardcfg-chat" not in body  # no widget per endpoint


def test_reporter_failures_alarm_on_the_alerts_topic(synth: Synth) -> None:
    t = synth.default["cost"]
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "Errors",
            "Namespace": "AWS/Lambda",
            "AlarmActions": [{"Fn::ImportValue": Match.string_like_regexp("AlertsTopic")}],
        },
    )
    t.has_resource_properties("AWS::Lambda::EventInvokeConfig", {"MaximumRetryAttempts": 2})
