"""CloudWatch invocations (batching, pages, failures), endpoint listing and tagging, baseline prices."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import boto3
import pytest
from botocore.config import Config
from botocore.stub import ANY, Stubber
from cost_helpers import (
    OCT_5,
    capture_requests,
    create_endpoint,
    create_endpoints,
    full_tags,
    price_list_item,
    put_invocations,
)

from lambdas.common.aws import TaggedEndpoint
from lambdas.common.catalog import load_catalog
from lambdas.cost_reporter.dal import cloudwatch, resources
from lambdas.cost_reporter.dal.clients import Clients
from lambdas.cost_reporter.dal.pricing import PriceBook, hourly_prices
from lambdas.cost_reporter.models import ReportPeriod

OCTOBER = ReportPeriod(date(2025, 10, 1), date(2025, 11, 1), "custom")


def test_get_metric_data_is_batched_within_the_data_point_limit(clients: Clients) -> None:
    # Arrange: 1,201 variants; moto enforces neither the 500-query nor the 100,800-point limit, so the batch
    # sizes are asserted: 31 days x 24 hourly points = 744 per query, 100,800 // 744 = 135 queries per call.
    series = [cloudwatch.InvocationSeries(f"ep-{i}", "AllTraffic") for i in range(1201)]
    put_invocations("ep-0", 40, OCT_5)
    put_invocations("ep-1200", 2, OCT_5)
    sent = capture_requests(clients.cloudwatch, "GetMetricData")

    # Act
    invocations, errors = cloudwatch.sum_invocations(clients.cloudwatch, series, OCTOBER)

    # Assert
    assert [len(request["MetricDataQueries"]) for request in sent] == [135] * 8 + [121]
    assert all(q["MetricStat"]["Period"] == 3_600 for q in sent[0]["MetricDataQueries"])
    assert sent[0]["StartTime"] == datetime(2025, 10, 1, tzinfo=UTC)
    assert sent[0]["EndTime"] == datetime(2025, 11, 1, tzinfo=UTC)
    assert invocations["ep-0"] == 40
    assert invocations["ep-1200"] == 2
    assert invocations["ep-7"] == 0
    assert errors == []


def test_invocations_are_summed_per_utc_day_and_the_period_is_their_sum(clients: Clients) -> None:
    put_invocations("chat", 40, OCT_5)
    put_invocations("chat", 2, OCT_5.replace(hour=23, minute=59))
    put_invocations("chat", 7, datetime(2025, 10, 31, 0, 0, tzinfo=UTC))
    put_invocations("chat", 1000, datetime(2025, 11, 1, 0, 0, tzinfo=UTC))  # the next period
    series = cloudwatch.list_invocation_series(clients.cloudwatch)

    daily, errors = cloudwatch.daily_invocations(clients.cloudwatch, series, OCTOBER)
    total, _ = cloudwatch.sum_invocations(clients.cloudwatch, series, OCTOBER)

    assert daily == {"chat": {date(2025, 10, 5): 42, date(2025, 10, 31): 7}}
    assert total == {"chat": 49}
    assert errors == []


def test_a_batch_stays_within_100800_data_points_per_call() -> None:
    # 24 data points per query and day: a 31-day month takes 135 queries per call, a 400-day window 10; one
    # point per day (points_per_day=1) would fit 500 queries x 31 days, and 252 x 400 days.
    assert cloudwatch.queries_per_call(31) == 135
    assert 135 * 31 * 24 <= 100_800 < 136 * 31 * 24
    assert cloudwatch.queries_per_call(400) == 10
    assert cloudwatch.queries_per_call(31, points_per_day=1) == 500
    assert cloudwatch.queries_per_call(400, points_per_day=1) == 252
    assert cloudwatch.queries_per_call(5000) == 1


def test_invocations_are_read_per_utc_hour_against_moto(clients: Clients) -> None:
    # Arrange: two data points in the 09:00 hour, one at 23:59 (its own hour), one in the next period.
    put_invocations("chat", 40, OCT_5.replace(hour=9, minute=0))
    put_invocations("chat", 2, OCT_5.replace(hour=9, minute=59))
    put_invocations("chat", 3, OCT_5.replace(hour=23, minute=59))
    put_invocations("chat", 1000, datetime(2025, 11, 1, 0, 0, tzinfo=UTC))
    series = cloudwatch.list_invocation_series(clients.cloudwatch)
    sent = capture_requests(clients.cloudwatch, "GetMetricData")

    # Act
    hourly, errors = cloudwatch.hourly_invocations(clients.cloudwatch, series, OCTOBER)

    # Assert: one query per series at a 1-hour period, the hours keyed by their start (UTC).
    assert [q["MetricStat"]["Period"] for q in sent[0]["MetricDataQueries"]] == [3_600]
    assert hourly == {
        "chat": {
            datetime(2025, 10, 5, 9, tzinfo=UTC): 42,
            datetime(2025, 10, 5, 23, tzinfo=UTC): 3,
        }
    }
    assert cloudwatch.by_day(hourly) == {"chat": {date(2025, 10, 5): 45}}
    assert errors == []


def test_batches_never_exceed_the_api_limit() -> None:
    items = [cloudwatch.InvocationSeries(f"e{i}", "v") for i in range(1001)]

    assert [len(b) for b in cloudwatch.batches(items)] == [500, 500, 1]
    with pytest.raises(ValueError, match=r"1\.\.500"):
        cloudwatch.batches(items, size=501)


def test_variants_are_learned_from_list_metrics_and_summed_per_endpoint(clients: Clients) -> None:
    put_invocations("Chat", 100, OCT_5, variant="blue")
    put_invocations("Chat", 50, OCT_5, variant="green")
    put_invocations("rag", 7, OCT_5)

    series = cloudwatch.list_invocation_series(clients.cloudwatch)
    invocations, _ = cloudwatch.sum_invocations(clients.cloudwatch, series, OCTOBER)

    assert sorted((s.endpoint_name, s.variant_name) for s in series) == [
        ("Chat", "blue"),
        ("Chat", "green"),
        ("rag", "AllTraffic"),
    ]
    assert invocations == {"chat": 150, "rag": 7}


def test_next_token_is_followed_and_forbidden_series_become_errors() -> None:
    client = boto3.client("cloudwatch", region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
    stub = Stubber(client)
    series = [cloudwatch.InvocationSeries("a", "v"), cloudwatch.InvocationSeries("b", "v")]
    stub.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "q0", "Timestamps": [OCT_5], "Values": [10.0], "StatusCode": "PartialData"}
            ],
            "NextToken": "more",
        },
        {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY},
    )
    stub.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "q0", "Timestamps": [OCT_5], "Values": [5.0], "StatusCode": "Complete"},
                {"Id": "q1", "Values": [], "StatusCode": "Forbidden"},
            ]
        },
        {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "NextToken": "more"},
    )

    with stub:
        invocations, errors = cloudwatch.sum_invocations(client, series, OCTOBER)

    assert invocations == {"a": 15}
    assert [(e.endpoint_name, "Forbidden" in e.message) for e in errors] == [("b", True)]


def test_endpoints_are_listed_100_per_page_with_their_tags(clients: Clients) -> None:
    create_endpoints({f"ep-{i:03d}": {"infersave:project": "demo"} for i in range(101)})
    create_endpoint("other", {"team": "x"})
    sent = capture_requests(clients.tagging, "GetResources")

    endpoints, warnings = resources.list_endpoints(clients.tagging, project_name="demo")

    assert len(endpoints) == 101
    assert {e.name for e in endpoints} == {f"ep-{i:03d}" for i in range(101)}
    assert all(
        r["ResourcesPerPage"] == 100 and r["ResourceTypeFilters"] == ["sagemaker:endpoint"] for r in sent
    )
    assert sent[0]["TagFilters"] == [{"Key": "infersave:project", "Values": ["demo"]}]
    assert len(sent) >= 2
    assert warnings == []


def test_tagging_adds_only_missing_tags_and_never_overwrites(clients: Clients) -> None:
    # Arrange: one endpoint fully tagged by a user, one with a custom ratio, 25 with nothing but the project.
    sm = boto3.client("sagemaker", region_name="us-east-1")
    user_arn = create_endpoint("user", full_tags("user", baseline="ml.g6.12xlarge", ratio="3"))
    ratio_arn = create_endpoint(
        "ratio", {"infersave:project": "demo", "infersave:baseline-capacity-ratio": "2"}
    )
    create_endpoints(
        {
            f"bare-{i:02d}": {"infersave:project": "demo", "infersave:endpoint": f"bare-{i:02d}"}
            for i in range(25)
        }
    )
    sent = capture_requests(clients.tagging, "TagResources")
    endpoints, _ = resources.list_endpoints(clients.tagging, None)
    defaults = {
        "infersave:baseline-instance-type": "ml.g5.2xlarge",
        "infersave:baseline-capacity-ratio": "1.0",
    }

    # Act
    outcome = resources.ensure_tags(clients.tagging, endpoints, defaults)

    # Assert
    assert outcome.warnings == []
    assert all(len(r["ResourceARNList"]) <= 20 for r in sent)
    assert sorted(len(r["ResourceARNList"]) for r in sent) == [1, 5, 20]
    assert {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=user_arn)["Tags"]}[
        "infersave:baseline-capacity-ratio"
    ] == "3"
    ratio_tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=ratio_arn)["Tags"]}
    assert ratio_tags == {
        "infersave:project": "demo",
        "infersave:baseline-capacity-ratio": "2",
        "infersave:endpoint": "ratio",
        "infersave:baseline-instance-type": "ml.g5.2xlarge",
    }
    assert all(e.tags["infersave:baseline-instance-type"] for e in outcome.endpoints)


def test_tagging_denied_becomes_warnings() -> None:
    client = boto3.client(
        "resourcegroupstaggingapi", region_name="us-east-1", config=Config(retries={"max_attempts": 1})
    )
    stub = Stubber(client)
    stub.add_client_error("tag_resources", service_error_code="AccessDeniedException", http_status_code=403)
    endpoint = TaggedEndpoint("arn:aws:sagemaker:us-east-1:123456789012:endpoint/a", "a", "us-east-1", {})

    with stub:
        outcome = resources.ensure_tags(client, [endpoint], {"infersave:baseline-capacity-ratio": "1"})

    assert outcome.endpoints == [endpoint]
    assert len(outcome.warnings) == 1
    assert outcome.warnings[0].endpoint_name == "a"
    assert "AccessDeniedException" in outcome.warnings[0].message


def test_price_list_answer_is_parsed_and_preferred() -> None:
    asked: list[tuple[str, str]] = []

    def fetch(instance_type: str, region: str) -> list[str]:
        asked.append((instance_type, region))
        return [price_list_item(instance_type, "1.5150000000"), "not json"]

    book = PriceBook(fetch)

    quote = book.quote("ml.g5.2xlarge", "eu-west-1")
    book.quote("ml.g5.2xlarge", "eu-west-1")

    assert quote is not None
    assert (quote.hourly_price, quote.source) == (Decimal("1.515"), "price-list-api")
    assert asked == [("ml.g5.2xlarge", "eu-west-1")]


def test_price_list_failure_falls_back_to_the_catalog_once(clients: Clients) -> None:
    book = PriceBook.from_client(clients.pricing)  # moto: GetProducts "Not yet implemented"

    quote = book.quote("ml.g5.2xlarge", "us-east-1")
    other = book.quote("ml.g5.xlarge", "eu-west-1")

    assert quote is not None and other is not None
    assert quote.hourly_price == load_catalog().instances["ml.g5.2xlarge"].hourly_price_usd
    assert quote.source == "catalog:fmbench-2025-01-26"
    assert [w.message.split(" (")[0] for w in book.warnings] == [
        "AWS Price List API unavailable",
        "catalog price of ml.g5.xlarge is for us-east-1, used for eu-west-1",
    ]
    assert book.quote("ml.g6.xlarge", "us-east-1") is None  # no price in the catalog either


def test_price_list_throttling_then_denied_uses_the_catalog() -> None:
    client = boto3.client("pricing", region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
    stub = Stubber(client)
    stub.add_client_error("get_products", service_error_code="ThrottlingException")
    stub.add_client_error("get_products", service_error_code="AccessDeniedException", http_status_code=403)

    with stub:
        quote = PriceBook.from_client(client).quote("ml.g5.2xlarge", "us-east-1")

    assert quote is not None and quote.source.startswith("catalog:")


def test_hourly_prices_ignore_zero_and_non_hourly_dimensions() -> None:
    items = [price_list_item("ml.g5.2xlarge", "0.0000000000"), price_list_item("ml.g5.2xlarge", "1.515")]

    assert hourly_prices(items) == {Decimal("1.515")}
