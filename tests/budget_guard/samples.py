"""Sample messages as they arrive on the alerts topic (AWS Budgets text, anomaly and alarm JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

ACCOUNT_ID = "123456789012"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:infersave-demo-alerts"
BUDGET_NAME = "infersave-demo"
#: The switch's clock in these tests: the sample alert's day, a little later.
NOW = datetime(2025, 6, 14, 10, 0, tzinfo=UTC)


def budget_message(
    *,
    budget_name: str = BUDGET_NAME,
    alert_type: str = "ACTUAL",
    budgeted: str = "$1,000.00",
    threshold: str = "> $1,000.00",
    amount: str = "$1,012.34",
    notified: str = "June 14, 2025",
    budget_type: str = "Cost",
    account: str = ACCOUNT_ID,
) -> str:
    """An AWS Budgets notification as published to SNS (plain text, e-mail style)."""
    return (
        f"AWS Budget Notification {notified}\n"
        f"AWS Account {account}\n"
        "\n"
        "Dear AWS Customer,\n"
        "\n"
        f"You requested that we alert you when the {alert_type} Cost associated with your {budget_name} "
        f"budget is greater than {threshold.lstrip('> ')} for the current month. The {alert_type} Cost "
        f"associated with this budget is {amount}. You can find additional details below and by accessing "
        "the AWS Budgets dashboard [1].\n"
        "\n"
        f"Budget Name: {budget_name}\n"
        f"Budget Type: {budget_type}\n"
        f"Budgeted Amount: {budgeted}\n"
        f"Alert Type: {alert_type}\n"
        f"Alert Threshold: {threshold}\n"
        f"{alert_type} Amount: {amount}\n"
        "\n"
        "[1] https://console.aws.amazon.com/billing/home#/budgets\n"
    )


ANOMALY_MESSAGE = json.dumps(
    {
        "accountId": "123456789012",
        "anomalyDetailsLink": "https://console.aws.amazon.com/cost-management/home#/anomaly-detection/monitors/"
        "0b1c/anomalies/9f8e",
        "anomalyEndDate": "2025-06-13T00:00:00Z",
        "anomalyId": "9f8e7d6c-0000-4000-8000-000000000001",
        "anomalyScore": {"currentScore": 0.61, "maxScore": 0.61},
        "anomalyStartDate": "2025-06-13T00:00:00Z",
        "dimensionalValue": "Amazon SageMaker",
        "impact": {
            "maxImpact": 151.0,
            "totalActualSpend": 312.4,
            "totalExpectedSpend": 161.4,
            "totalImpact": 151.0,
            "totalImpactPercentage": 93.56,
        },
        "monitorArn": "arn:aws:ce::123456789012:anomalymonitor/0b1c",
        "rootCauses": [
            {
                "linkedAccount": "123456789012",
                "region": "us-east-1",
                "service": "Amazon SageMaker",
                "usageType": "USE1-Host:ml.inf2.xlarge",
            }
        ],
        "subscriptionId": "sub-1",
        "subscriptionName": "infersave-demo",
    }
)

ALARM_MESSAGE = json.dumps(
    {
        "AlarmName": "infersave-demo-chat-5xx",
        "AlarmDescription": "Endpoint 5XX errors",
        "AWSAccountId": "123456789012",
        "NewStateValue": "ALARM",
        "NewStateReason": "Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (5.0).",
        "StateChangeTime": "2025-06-14T09:30:12.345+0000",
        "Region": "US East (N. Virginia)",
        "OldStateValue": "OK",
        "Trigger": {
            "MetricName": "Invocation5XXErrors",
            "Namespace": "AWS/SageMaker",
            "Statistic": "SUM",
            "Dimensions": [{"name": "EndpointName", "value": "infersave-demo-chat"}],
        },
    }
)


def sns_event(
    message: str, *, timestamp: str = "2025-06-14T09:30:12.345Z", message_id: str = "m-1"
) -> dict[str, Any]:
    """A Lambda event as SNS delivers it to a subscribed function."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": TOPIC_ARN,
                    "Subject": "AWS Budgets: infersave-demo-monthly has exceeded your alert threshold",
                    "Message": message,
                    "Timestamp": timestamp,
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }
