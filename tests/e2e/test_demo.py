"""End to end: the real app deployed with the real ``cdk deploy`` into the emulator, checked through the normal
AWS APIs, then the scheduled report run against a replayed month, checked against the scenario's known instance
hours and the catalog's prices."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

from demo.billing import expected_costs
from lambdas.common import tags
from lambdas.common.catalog import load_catalog
from tests.e2e.conftest import Deployment, ReportRun

pytestmark = pytest.mark.e2e

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def test_endpoints_are_in_service_with_their_infersave_tags(deployment: Deployment) -> None:
    sagemaker = deployment.client("sagemaker")
    config = deployment.config
    for endpoint in config.endpoints:
        name = config.endpoint_name(endpoint)
        described = sagemaker.describe_endpoint(EndpointName=name)
        assert described["EndpointStatus"] == "InService"
        (variant,) = described["ProductionVariants"]
        assert variant["VariantName"] == "AllTraffic"
        assert variant["CurrentInstanceCount"] == endpoint.instances.initial
        endpoint_tags = {
            t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=described["EndpointArn"])["Tags"]
        }
        assert endpoint_tags[tags.PROJECT] == config.project
        assert endpoint_tags[tags.ENDPOINT] == name
        assert endpoint_tags[tags.BASELINE_INSTANCE_TYPE] == endpoint.baseline.instance_type
        assert Decimal(endpoint_tags[tags.BASELINE_CAPACITY_RATIO]) == endpoint.baseline.capacity_ratio
        for key, value in config.tags.items():
            assert endpoint_tags[key] == value


def test_scalable_targets_policies_and_schedules(deployment: Deployment) -> None:
    autoscaling = deployment.client("application-autoscaling")
    config = deployment.config
    targets = {
        t["ResourceId"]: t
        for t in autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    }
    policies = autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    actions = autoscaling.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    for endpoint in config.endpoints:
        resource_id = f"endpoint/{config.endpoint_name(endpoint)}/variant/AllTraffic"
        target = targets[resource_id]
        assert target["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
        assert (target["MinCapacity"], target["MaxCapacity"]) == (
            endpoint.instances.min,
            endpoint.instances.max,
        )
        (policy,) = [p for p in policies if p["ResourceId"] == resource_id]
        tracking = policy["TargetTrackingScalingPolicyConfiguration"]
        assert policy["PolicyType"] == "TargetTrackingScaling"
        assert tracking["TargetValue"] == endpoint.tracking_target
        assert tracking["ScaleOutCooldown"] == endpoint.autoscaling.scale_out_cooldown_seconds
        assert tracking["ScaleInCooldown"] == endpoint.autoscaling.scale_in_cooldown_seconds
        scheduled = {a["Schedule"]: a for a in actions if a["ResourceId"] == resource_id}
        if endpoint.off_hours:
            off = endpoint.off_hours
            down, up = scheduled[off.scale_down_cron], scheduled[off.scale_up_cron]
            assert down["Timezone"] == up["Timezone"] == off.time_zone
            assert down["ScalableTargetAction"]["MinCapacity"] == off.min_capacity
            assert up["ScalableTargetAction"]["MinCapacity"] == endpoint.instances.min
        else:
            assert scheduled == {}


def test_budget_with_its_notifications(deployment: Deployment) -> None:
    budgets = deployment.client("budgets")
    budget_config = deployment.config.budget
    assert budget_config.monthly_limit_usd is not None, "the demo config sets a budget"
    (budget,) = [
        b
        for b in budgets.describe_budgets(AccountId=deployment.account)["Budgets"]
        if f"user:{tags.PROJECT}${deployment.config.project}"
        in b.get("CostFilters", {}).get("TagKeyValue", [])
    ]
    assert Decimal(budget["BudgetLimit"]["Amount"]) == budget_config.monthly_limit_usd
    assert budget["TimeUnit"] == "MONTHLY"
    notifications = budgets.describe_notifications_for_budget(
        AccountId=deployment.account, BudgetName=budget["BudgetName"]
    )["Notifications"]
    actual = sorted(Decimal(str(n["Threshold"])) for n in notifications if n["NotificationType"] == "ACTUAL")
    forecast = [Decimal(str(n["Threshold"])) for n in notifications if n["NotificationType"] == "FORECASTED"]
    assert actual == sorted(budget_config.actual_thresholds_percent)
    assert forecast == [budget_config.forecast_threshold_percent]


def test_report_schedules_invoke_the_reporter(deployment: Deployment) -> None:
    scheduler = deployment.client("scheduler")
    function_arn = deployment.client("lambda").get_function_configuration(
        FunctionName=deployment.cost_outputs["ReporterFunctionName"]
    )["FunctionArn"]
    inputs = []
    for summary in scheduler.list_schedules()["Schedules"]:
        schedule = scheduler.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
        if schedule["Target"]["Arn"] == function_arn:
            assert schedule["State"] == "ENABLED"
            assert schedule["ScheduleExpression"].startswith("cron(")
            inputs.append(json.loads(schedule["Target"]["Input"]))
    assert {"period": "month_to_date"} in inputs
    assert {"period": "previous_month"} in inputs


def test_reports_bucket_is_encrypted_versioned_private_and_expires_old_versions(
    deployment: Deployment,
) -> None:
    s3 = deployment.client("s3")
    bucket = deployment.cost_outputs["ReportsBucketName"]
    s3.head_bucket(Bucket=bucket)
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    (superseded,) = [r for r in lifecycle if r["ID"] == "expire-superseded-report-versions"]
    assert superseded["Status"] == "Enabled"
    assert superseded["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": deployment.config.reports.noncurrent_version_retention_days
    }
    assert superseded["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    logging = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert logging["TargetPrefix"] == "reports-bucket/"
    s3.head_bucket(Bucket=logging["TargetBucket"])


def test_report_lands_in_the_bucket_for_the_previous_month(report_run: ReportRun) -> None:
    scenario, document = report_run.scenario, report_run.document
    assert document["schema_version"] == 1
    assert document["period"] == {
        "start": scenario.start.isoformat(),
        "end": scenario.end_exclusive.isoformat(),
    }
    assert report_run.result["period"] == document["period"]
    assert sorted(report_run.files) == ["report.csv", "report.json", "report.md"]
    assert document["errors"] == []
    assert document["untagged_cost"] == 0


def test_report_totals_match_the_scenarios_hours_and_catalog_prices(report_run: ReportRun) -> None:
    """Each endpoint's figures follow from the scenario's instance-hours and the catalog's prices.

    Hand check, October 2026 with the shipped infersave.yaml (seed ``infersave-demo-1``), demo-llm-qwen25-72b on
    ml.inf2.24xlarge: the simulation ran 853.3833 instance-hours; x USD 7.79 = 6,647.86, plus its 469 GB volume
    for those hours, 469 x 853.3833 / 744 = 537.95 GB-month x USD 0.14 = 75.31: actual USD 6,723.17. Baseline
    ml.g5.48xlarge: 853.3833 x 1.0 x USD 20.36 = 17,374.88 + the same 75.31 = USD 17,450.20; savings
    USD 10,727.03 (61.47 %). The assertions below do this for every endpoint of whatever month is replayed.
    """
    catalog = load_catalog()
    expected = expected_costs(report_run.scenario, catalog)
    lines = {e["endpoint_name"]: e for e in report_run.document["endpoints"]}
    assert set(lines) == set(expected)
    total_actual = total_baseline = Decimal(0)
    for simulated in report_run.scenario.endpoints:
        name = simulated.endpoint_name
        line, bill = lines[name], expected[name]
        baseline_price = catalog.instances[line["baseline_instance_type"]].hourly_price_usd
        assert baseline_price is not None
        assert line["instance_type"] == simulated.instance_type
        assert Decimal(str(line["instance_hours"])) == simulated.instance_hours.quantize(
            Decimal("0.0001"), ROUND_HALF_UP
        )
        assert abs(bill.instance_hours - simulated.instance_hours) < Decimal("1E-20")
        assert Decimal(str(line["actual_cost"])) == cents(bill.actual_cost_usd)
        assert Decimal(str(line["other_cost"])) == cents(bill.other_cost_usd)
        assert line["price_source"].startswith("catalog:")
        assert Decimal(str(line["baseline_hourly_price"])) == baseline_price
        baseline = (
            simulated.instance_hours * Decimal(str(line["capacity_ratio"])) * baseline_price
            + bill.other_cost_usd
        )
        assert Decimal(str(line["baseline_cost"])) == cents(baseline)
        assert Decimal(str(line["savings"])) == cents(baseline - bill.actual_cost_usd)
        assert line["invocations"] == simulated.invocations
        total_actual += bill.actual_cost_usd
        total_baseline += baseline
    totals = report_run.document["totals"]
    assert Decimal(str(totals["actual_cost"])) == cents(total_actual)
    assert Decimal(str(totals["baseline_cost"])) == cents(total_baseline)
    assert Decimal(str(totals["savings"])) == cents(total_baseline - total_actual)
    assert totals["invocations"] == sum(e.invocations for e in report_run.scenario.endpoints)
    hours = sum((e.instance_hours for e in report_run.scenario.endpoints), Decimal(0))
    assert Decimal(str(totals["instance_hours"])) == hours.quantize(Decimal("0.0001"), ROUND_HALF_UP)
