"""AWS::Budgets::Budget through CloudFormation: budget, filters and notifications with subscribers."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

Deploy = Callable[..., dict[str, str]]
ACCOUNT_ID = "123456789012"

TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Alerts": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Budget": {
            "Type": "AWS::Budgets::Budget",
            "Properties": {
                "Budget": {
                    "BudgetName": "infersave-demo",
                    "BudgetType": "COST",
                    "TimeUnit": "MONTHLY",
                    "BudgetLimit": {"Amount": 1500, "Unit": "USD"},
                    "CostFilters": {"TagKeyValue": ["user:infersave:project$demo"]},
                },
                "NotificationsWithSubscribers": [
                    {
                        "Notification": {
                            "NotificationType": "ACTUAL",
                            "ComparisonOperator": "GREATER_THAN",
                            "Threshold": 80,
                            "ThresholdType": "PERCENTAGE",
                        },
                        "Subscribers": [
                            {"SubscriptionType": "SNS", "Address": {"Ref": "Alerts"}},
                            {"SubscriptionType": "EMAIL", "Address": "team@example.com"},
                        ],
                    },
                    {
                        "Notification": {
                            "NotificationType": "FORECASTED",
                            "ComparisonOperator": "GREATER_THAN",
                            "Threshold": 100,
                        },
                        "Subscribers": [{"SubscriptionType": "SNS", "Address": {"Ref": "Alerts"}}],
                    },
                ],
            },
        },
    },
    "Outputs": {"BudgetRef": {"Value": {"Ref": "Budget"}}},
}


def test_deploy_creates_budget_with_notifications(deploy: Deploy) -> None:
    outputs = deploy(TEMPLATE)

    budgets = boto3.client("budgets")
    budget = budgets.describe_budget(AccountId=ACCOUNT_ID, BudgetName="infersave-demo")["Budget"]
    assert budget["BudgetLimit"] == {"Amount": "1500", "Unit": "USD"}
    assert budget["CostFilters"] == {"TagKeyValue": ["user:infersave:project$demo"]}
    assert (budget["BudgetType"], budget["TimeUnit"]) == ("COST", "MONTHLY")
    notifications = budgets.describe_notifications_for_budget(
        AccountId=ACCOUNT_ID, BudgetName="infersave-demo"
    )["Notifications"]
    assert {(n["NotificationType"], n["Threshold"], n["ThresholdType"]) for n in notifications} == {
        ("ACTUAL", 80.0, "PERCENTAGE"),
        ("FORECASTED", 100.0, "PERCENTAGE"),
    }
    assert outputs == {"BudgetRef": "infersave-demo"}


def test_subscribers_keep_the_topic_arn(deploy: Deploy) -> None:
    deploy(TEMPLATE)

    # moto 5.2.5 has no DescribeSubscribersForNotification API: read its budgets backend instead.
    from moto.budgets.models import budgets_backends

    budget = budgets_backends[ACCOUNT_ID]["aws"].budgets[ACCOUNT_ID]["infersave-demo"]
    topic_arn = boto3.client("sns").list_topics()["Topics"][0]["TopicArn"]
    assert budget.notifications[0].subscribers == [
        {"SubscriptionType": "SNS", "Address": topic_arn},
        {"SubscriptionType": "EMAIL", "Address": "team@example.com"},
    ]


def test_delete_stack_removes_budget(deploy: Deploy, cfn: Any) -> None:
    deploy(TEMPLATE)

    cfn.delete_stack(StackName="emu")

    assert boto3.client("budgets").describe_budgets(AccountId=ACCOUNT_ID).get("Budgets", []) == []


def test_actual_spend_is_zero_until_set_then_reads_back_as_aws_reports_it(deploy: Deploy) -> None:
    """DescribeBudget's CalculatedSpend: AWS computes it from the bill (a decimal string in the budget's
    unit); the emulator's set_actual_spend stands in for the bill."""
    from emulator.budgets import set_actual_spend

    deploy(TEMPLATE)
    budgets = boto3.client("budgets")

    before = budgets.describe_budget(AccountId=ACCOUNT_ID, BudgetName="infersave-demo")["Budget"]
    set_actual_spend(ACCOUNT_ID, "infersave-demo", "1612.34")
    after = budgets.describe_budget(AccountId=ACCOUNT_ID, BudgetName="infersave-demo")["Budget"]

    assert before["CalculatedSpend"]["ActualSpend"] == {"Amount": "0", "Unit": "USD"}
    assert after["CalculatedSpend"] == {
        "ActualSpend": {"Amount": "1612.34", "Unit": "USD"},
        "ForecastedSpend": {"Amount": "1612.34", "Unit": "USD"},
    }
    # TimePeriod: created without one, the budget starts on the first day of the current month and ends
    # 2087-06-15, as AWS defaults it (API_budgets_TimePeriod).
    start, end = after["TimePeriod"]["Start"], after["TimePeriod"]["End"]
    assert (start.day, start.hour, end.year, end.month, end.day) == (1, 0, 2087, 6, 15)


def test_setting_spend_of_a_missing_budget_fails(aws: None) -> None:
    from emulator.budgets import set_actual_spend

    with pytest.raises(KeyError):
        set_actual_spend(ACCOUNT_ID, "nope", "1")


def _with_subscribers(subscribers: list[dict[str, Any]], notifications: int = 1) -> dict[str, Any]:
    template = copy.deepcopy(TEMPLATE)
    budget = template["Resources"]["Budget"]["Properties"]
    first = budget["NotificationsWithSubscribers"][0]
    budget["NotificationsWithSubscribers"] = [
        {
            **first,
            "Notification": {**first["Notification"], "Threshold": 10 * (i + 1)},
            "Subscribers": subscribers,
        }
        for i in range(notifications)
    ]
    return template


# moto warns that CloudFormation's model has no such error shape: in AWS it is the budget resource's failure.
@pytest.mark.filterwarnings("ignore:Exception\\(CreationLimitExceededError\\)")
@pytest.mark.parametrize(
    ("subscribers", "notifications", "message"),
    [
        ([{"SubscriptionType": "SNS", "Address": {"Ref": "Alerts"}}] * 2, 1, "2 SNS subscribers"),
        (
            [{"SubscriptionType": "EMAIL", "Address": f"a{i}@example.com"} for i in range(11)],
            1,
            "11 EMAIL subscribers",
        ),
        ([{"SubscriptionType": "SNS", "Address": {"Ref": "Alerts"}}], 6, "6 notifications"),
    ],
)
def test_budget_limits_are_enforced_as_by_create_budget(
    cfn: Any, subscribers: list[dict[str, Any]], notifications: int, message: str
) -> None:
    template = _with_subscribers(subscribers, notifications)
    with pytest.raises(ClientError, match=message):
        cfn.create_stack(StackName="emu", TemplateBody=json.dumps(template))


def test_one_sns_subscriber_and_ten_emails_are_accepted(deploy: Deploy) -> None:
    subscribers = [{"SubscriptionType": "SNS", "Address": {"Ref": "Alerts"}}]
    subscribers += [{"SubscriptionType": "EMAIL", "Address": f"a{i}@example.com"} for i in range(10)]
    deploy(_with_subscribers(subscribers, 5))
    assert boto3.client("budgets").describe_budget(AccountId=ACCOUNT_ID, BudgetName="infersave-demo")
