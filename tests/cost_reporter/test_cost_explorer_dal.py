"""Cost Explorer access: the single query, its pages, its validation, parsing, throttling, tag activation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber
from cost_helpers import capture_requests, ce_group, ce_page, queue_cost_results

from lambdas.cost_reporter.dal import cost_explorer
from lambdas.cost_reporter.dal.clients import Clients
from lambdas.cost_reporter.models import ReportPeriod

OCTOBER = ReportPeriod(date(2025, 10, 1), date(2025, 11, 1), "custom")
GROUP_BY = [{"Type": "TAG", "Key": "infersave:endpoint"}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}]
SERVICE = {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon SageMaker"]}}
USAGE = {
    "Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]}
}
PROJECT = {"Tags": {"Key": "infersave:project", "Values": ["demo"], "MatchOptions": ["EQUALS"]}}


def stubbed_ce() -> tuple[Any, Stubber]:
    client = boto3.client("ce", region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
    return client, Stubber(client)


def test_request_is_the_contract_query() -> None:
    request = cost_explorer.build_request(OCTOBER, "AmortizedCost")

    assert request == {
        "TimePeriod": {"Start": "2025-10-01", "End": "2025-11-01"},
        "Granularity": "DAILY",
        "Filter": {"And": [SERVICE, USAGE]},
        "GroupBy": GROUP_BY,
        "Metrics": ["AmortizedCost", "UsageQuantity"],
    }
    cost_explorer.validate_request(request)


def test_request_for_a_project_also_filters_on_its_tag() -> None:
    request = cost_explorer.build_request(OCTOBER, "UnblendedCost", "demo")

    assert request["Filter"] == {"And": [SERVICE, PROJECT, USAGE]}
    assert {k: v for k, v in request.items() if k != "Filter"} == {
        k: v for k, v in cost_explorer.build_request(OCTOBER, "UnblendedCost").items() if k != "Filter"
    }
    cost_explorer.validate_request(request)


def test_non_usage_query_negates_the_usage_types_and_groups_by_record_type() -> None:
    request = cost_explorer.build_non_usage_request(OCTOBER, "UnblendedCost", "demo")

    assert request["Filter"] == {"And": [SERVICE, PROJECT, {"Not": USAGE}]}
    assert request["GroupBy"] == [{"Type": "DIMENSION", "Key": "RECORD_TYPE"}]
    assert request["Metrics"] == ["UnblendedCost"]
    cost_explorer.validate_request(request)


def test_project_filter_is_sent_as_built() -> None:
    client, stub = stubbed_ce()
    request = cost_explorer.build_request(OCTOBER, "UnblendedCost", "demo")
    stub.add_response("get_cost_and_usage", ce_page([]), {**request})

    with stub:
        cost_explorer.fetch_pages(client, request)

    stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Filter": {"And": [{"Dimensions": {"Key": "SERVICE", "Values": ["x"]}}]}}, "at least two"),
        ({"Filter": {"Dimensions": {}, "Tags": {}}}, "exactly one of"),
        ({"Filter": {"Not": {"Label": {}}}}, r"Filter\.Not must hold exactly one of"),
        ({"TimePeriod": {"Start": "2025-11-01", "End": "2025-11-01"}}, "must be before End"),
        ({"TimePeriod": {"Start": "2025/10/01", "End": "2025-11-01"}}, "YYYY-MM-DD"),
        ({"Granularity": "WEEKLY"}, "Granularity"),
        ({"Granularity": "HOURLY"}, "14 days"),
        ({"Metrics": []}, "Metrics"),
        ({"Metrics": ["Cost"]}, "Metrics"),
        ({"GroupBy": [*GROUP_BY, {"Type": "DIMENSION", "Key": "REGION"}]}, "at most 2 GroupBy"),
        ({"GroupBy": [{"Type": "LABEL", "Key": "x"}]}, "GroupBy needs"),
    ],
)
def test_requests_aws_would_reject_are_refused_before_sending(change: dict[str, Any], message: str) -> None:
    request = {**cost_explorer.build_request(OCTOBER, "UnblendedCost"), **change}

    with pytest.raises(cost_explorer.CostRequestError, match=message):
        cost_explorer.validate_request(request)


def test_second_page_from_moto_is_followed_and_summed(clients: Clients) -> None:
    # Arrange: moto keys its queued answers by request body, so the NextPageToken request gets the 2nd one.
    queue_cost_results(
        ce_page([ce_group("chat", "USE1-Host:ml.inf2.xlarge", "712.80", "720")], next_token="page-2"),
        ce_page([ce_group("chat", "USE1-Host:VolumeUsage.gp2", "3.20", "30")]),
    )
    sent = capture_requests(clients.ce, "GetCostAndUsage")
    request = cost_explorer.build_request(OCTOBER, "UnblendedCost")

    # Act
    pages = cost_explorer.fetch_pages(clients.ce, request)
    data, _, errors = cost_explorer.parse_pages(pages, "UnblendedCost", GROUP_BY)

    # Assert
    assert len(sent) == 2
    assert "NextPageToken" not in sent[0]
    assert sent[1]["NextPageToken"] == "page-2"
    chat = data.by_endpoint["chat"]
    assert (chat.instance_hours, chat.instance_cost, chat.other_cost) == (
        Decimal("720"),
        Decimal("712.80"),
        Decimal("3.20"),
    )
    assert errors == []


def test_pagination_with_stubber_sends_the_same_query_with_the_token() -> None:
    client, stub = stubbed_ce()
    request = cost_explorer.build_request(OCTOBER, "UnblendedCost")
    stub.add_response("get_cost_and_usage", ce_page([], next_token="t2"), dict(request))
    stub.add_response("get_cost_and_usage", ce_page([], next_token="t3"), {**request, "NextPageToken": "t2"})
    stub.add_response("get_cost_and_usage", ce_page([]), {**request, "NextPageToken": "t3"})

    with stub:
        pages = cost_explorer.fetch_pages(client, request)

    assert len(pages) == 3
    stub.assert_no_pending_responses()


def test_the_usage_page_bound_grows_with_the_project_and_stops_a_runaway_answer() -> None:
    # A few endpoints keep the old 100 pages; 1,000 endpoints x 4 usage types x 31 days at 10 groups a page.
    assert cost_explorer.usage_page_bound(3, 31) == 100
    assert cost_explorer.usage_page_bound(0, 0) == 100
    assert cost_explorer.usage_page_bound(1000, 31) == 12_400
    client, stub = stubbed_ce()
    request = cost_explorer.build_request(OCTOBER, "UnblendedCost")
    stub.add_response("get_cost_and_usage", ce_page([], next_token="t1"), dict(request))
    stub.add_response("get_cost_and_usage", ce_page([], next_token="t2"), {**request, "NextPageToken": "t1"})

    with stub, pytest.raises(Exception, match="2 pages"):
        cost_explorer.fetch_pages(client, request, max_pages=2)


def test_throttling_is_retried_with_backoff(no_backoff_sleep: list[float]) -> None:
    client, stub = stubbed_ce()
    request = cost_explorer.build_request(OCTOBER, "UnblendedCost")
    stub.add_client_error("get_cost_and_usage", service_error_code="LimitExceededException")
    stub.add_client_error("get_cost_and_usage", service_error_code="ThrottlingException")
    stub.add_response("get_cost_and_usage", ce_page([ce_group("a", "USE1-Host:ml.inf2.xlarge", "1", "1")]))

    with stub:
        pages = cost_explorer.fetch_pages(client, request)

    assert len(pages) == 1
    assert len(no_backoff_sleep) == 2
    assert 0 <= no_backoff_sleep[0] <= 1.0
    assert 0 <= no_backoff_sleep[1] <= 2.0


def test_persistent_throttling_and_access_denied_fail_the_query() -> None:
    client, stub = stubbed_ce()
    request = cost_explorer.build_request(OCTOBER, "UnblendedCost")
    for _ in range(4):
        stub.add_client_error("get_cost_and_usage", service_error_code="ThrottlingException")
    stub.add_client_error(
        "get_cost_and_usage", service_error_code="AccessDeniedException", http_status_code=403
    )

    with stub:
        with pytest.raises(ClientError, match="ThrottlingException"):
            cost_explorer.fetch_pages(client, request)
        with pytest.raises(ClientError, match="AccessDenied"):
            cost_explorer.fetch_pages(client, request)


def day(n: int) -> dict[str, str]:
    return {"Start": f"2025-10-{n:02d}", "End": f"2025-10-{n + 1:02d}"}


def test_parser_sums_every_granularity_and_reports_untagged_and_bad_rows() -> None:
    daily = {
        "ResultsByTime": [
            {
                "TimePeriod": day(1),
                "Groups": [ce_group("chat", "USE1-Host:ml.inf2.xlarge", "23.76", "24")],
                "Estimated": True,
            },
            {"TimePeriod": day(2), "Groups": [ce_group("chat", "USE1-Host:ml.inf2.8xlarge", "2.36", "1")]},
            {"TimePeriod": day(2), "Groups": [ce_group("chat", "USE1-Host:VolumeUsage.gp2", "0.5", "0.1")]},
            {"TimePeriod": day(3), "Groups": [ce_group("", "USE1-Notebk:ml.t3.medium", "1.25", "25")]},
            {
                "TimePeriod": day(3),
                "Groups": [{"Keys": ["infersave:endpoint$rag", "USE1-Host:ml.inf2.xlarge"], "Metrics": {}}],
            },
        ]
    }

    data, warnings, errors = cost_explorer.parse_pages([daily], "UnblendedCost", GROUP_BY)

    chat = data.by_endpoint["chat"]
    assert chat.instance_hours == Decimal(25)
    # per UTC day, and the period is the sum of its days
    assert {k: (v.instance_hours, v.instance_cost, v.other_cost) for k, v in chat.days.items()} == {
        date(2025, 10, 1): (Decimal(24), Decimal("23.76"), Decimal(0)),
        date(2025, 10, 2): (Decimal(1), Decimal("2.36"), Decimal("0.5")),
    }
    assert (
        sum(d.instance_cost + d.other_cost for d in chat.days.values())
        == chat.instance_cost + chat.other_cost
    )
    assert chat.hours_by_instance_type == {"ml.inf2.xlarge": Decimal(24), "ml.inf2.8xlarge": Decimal(1)}
    assert chat.usage_region_codes == {"USE1"}
    assert data.untagged_cost == Decimal("1.25")
    assert any("untagged" in w.message and "USD 1.25" in w.message for w in warnings)
    assert any("estimated" in w.message for w in warnings)
    assert [e.endpoint_name for e in errors] == ["rag"]
    # the unreadable row is skipped but marks its endpoint: a bill missing a row gives no savings figure
    assert data.by_endpoint["rag"].problems and data.by_endpoint["rag"].instance_cost == 0


def test_a_result_without_its_day_is_an_unreadable_row() -> None:
    page = {"ResultsByTime": [{"Groups": [ce_group("chat", "USE1-Host:ml.inf2.xlarge", "23.76", "24")]}]}

    data, _, errors = cost_explorer.parse_pages([page], "UnblendedCost", GROUP_BY)

    assert [e.endpoint_name for e in errors] == ["chat"] and "TimePeriod" in errors[0].message
    assert data.by_endpoint["chat"].problems and data.by_endpoint["chat"].instance_hours == 0


def test_periods_outside_cost_explorer_history_are_refused_before_a_paid_request() -> None:
    # The current month and the previous 13 at DAILY and MONTHLY granularity; no Start after today.
    today = date(2026, 11, 28)
    assert cost_explorer.oldest_start(today) == date(2025, 10, 1)
    assert cost_explorer.oldest_start(date(2026, 1, 31)) == date(2024, 12, 1)
    cost_explorer.validate_request(cost_explorer.build_request(OCTOBER, "UnblendedCost"), today)
    too_old = ReportPeriod(date(2025, 9, 30), date(2025, 10, 2), "custom")
    with pytest.raises(cost_explorer.CostRequestError, match="previous 13"):
        cost_explorer.validate_request(cost_explorer.build_request(too_old, "UnblendedCost"), today)
    future = ReportPeriod(date(2026, 11, 29), date(2026, 11, 30), "custom")
    with pytest.raises(cost_explorer.CostRequestError, match="after today"):
        cost_explorer.validate_request(cost_explorer.build_request(future, "UnblendedCost"), today)


def test_tag_activation_batches_twenty_keys_per_call() -> None:
    client, stub = stubbed_ce()
    keys = [f"key-{i}" for i in range(45)]
    for start in (0, 20, 40):
        batch = keys[start : start + 20]
        stub.add_response(
            "update_cost_allocation_tags_status",
            {"Errors": [{"TagKey": "key-44", "Code": "TagKeysNotFoundException", "Message": "not yet"}]}
            if start == 40
            else {"Errors": []},
            {"CostAllocationTagsStatus": [{"TagKey": key, "Status": "Active"} for key in batch]},
        )

    with stub:
        warnings = cost_explorer.activate_cost_allocation_tags(client, keys)

    stub.assert_no_pending_responses()
    assert [w.message for w in warnings] == [
        "could not activate cost allocation tag 'key-44': TagKeysNotFoundException not yet"
    ]


def test_tag_activation_outside_the_management_account_is_a_warning() -> None:
    client, stub = stubbed_ce()
    stub.add_client_error(
        "update_cost_allocation_tags_status",
        service_error_code="AccessDeniedException",
        service_message="Only the management account can update cost allocation tags",
        http_status_code=403,
    )

    with stub:
        warnings = cost_explorer.activate_cost_allocation_tags(client, ["infersave:endpoint"])

    assert len(warnings) == 1
    assert "AccessDeniedException" in warnings[0].message


def test_tag_activation_not_implemented_in_moto_is_the_same_warning_as_any_aws_error(
    clients: Clients,
) -> None:
    # moto lacks UpdateCostAllocationTagsStatus; it answers over HTTP (see conftest), so a ClientError.
    warnings = cost_explorer.activate_cost_allocation_tags(clients.ce, ["infersave:endpoint"])

    assert len(warnings) == 1
    assert warnings[0].message.startswith(
        "could not activate cost allocation tags ['infersave:endpoint']: 501: "
    )
    assert "has not been implemented" in warnings[0].message


def test_tag_activation_without_any_answer_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = stubbed_ce()

    def unreachable(**_: Any) -> Any:
        raise EndpointConnectionError(endpoint_url="https://ce.us-east-1.amazonaws.com")

    monkeypatch.setattr(client, "update_cost_allocation_tags_status", unreachable)

    warnings = cost_explorer.activate_cost_allocation_tags(client, ["infersave:endpoint"])

    assert [w.message.split(": ")[0] for w in warnings] == [
        "could not activate cost allocation tags ['infersave:endpoint']"
    ]
