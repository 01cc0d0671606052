"""CloudFormation support for ``AWS::Budgets::Budget``, backed by moto's budgets backend.

moto 5.2.5 gap closed: its CloudFormation skips ``AWS::Budgets::Budget``, so a deployed budget and its
notifications are not visible through ``describe_budget`` / ``describe_notifications_for_budget``.

The CloudFormation shape differs from the API's in a few places, converted here: ``BudgetLimit.Amount``
is a number in the template and a string in the API; ``TimePeriod`` dates may be ISO 8601 or epoch
seconds; ``NotificationsWithSubscribers`` maps one-to-one to CreateBudget's ``NotificationsWithSubscribers``.
``ResourceTags`` are not kept (moto's budgets backend has no tagging). ``Ref`` gives the budget name,
generated when ``BudgetData.BudgetName`` is absent, as CloudFormation does.

Limit moto does not check, enforced here: "A budget can have up to five notifications, and each notification
can have one SNS subscriber and up to 10 email subscribers" (Budgets API reference, CreateBudget
``NotificationsWithSubscribers``), else ``CreationLimitExceededException``.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-budgets-budget.html

Actual spend: in AWS, DescribeBudget's ``CalculatedSpend.ActualSpend`` is computed by AWS from the bill
for the current period ("if it's the 20th of the month and you have spent 50 dollars ... your actualSpend
is 50 USD"), in the budget's unit, as a decimal string; moto answers a fixed ``"0"``. There is no API to
set it, so tests and the demo call :func:`set_actual_spend` (in-process), which stores the amount where
moto's ``DescribeBudget`` reads it. ``ForecastedSpend`` is set to the same amount unless given.
https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_CalculatedSpend.html
"""

from __future__ import annotations

import copy
from typing import Any

from moto.budgets.models import BudgetsBackend, budgets_backends
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import ServiceException
from moto.utilities.utils import get_partition

from emulator.cfn_model import CfnResource, Properties
from emulator.cloudformation import to_epoch_seconds


def _backend(account_id: str, region_name: str) -> BudgetsBackend:
    return budgets_backends[account_id][get_partition(region_name)]


def set_actual_spend(
    account_id: str,
    budget_name: str,
    amount: str,
    *,
    forecast: str | None = None,
    region_name: str = "us-east-1",
) -> None:
    """Make DescribeBudget of ``budget_name`` report ``amount`` (a decimal string, the budget's unit) as the
    current period's actual spend, as AWS would once its data shows that spend. Raises KeyError if the budget
    does not exist."""
    budget = _backend(account_id, region_name).budgets[account_id][budget_name]
    unit = budget.budget.get("BudgetLimit", {}).get("Unit", "USD")
    budget.budget["CalculatedSpend"] = {
        "ActualSpend": {"Amount": amount, "Unit": unit},
        "ForecastedSpend": {"Amount": forecast if forecast is not None else amount, "Unit": unit},
    }


def _as_epoch(value: Any) -> Any:
    """A ``TimePeriod`` date (epoch seconds as a string, or ISO 8601) as the epoch seconds the API takes."""
    if isinstance(value, str) and value.replace(".", "", 1).isdigit():
        return float(value)
    return to_epoch_seconds(value)


def _budget_from_template(budget_data: dict[str, Any], budget_name: str) -> dict[str, Any]:
    """The template's ``Budget`` as CreateBudget's ``Budget``: amounts as strings, dates as epoch seconds."""
    budget = copy.deepcopy(budget_data)
    budget["BudgetName"] = budget_name
    if "BudgetLimit" in budget:
        budget["BudgetLimit"]["Amount"] = str(budget["BudgetLimit"]["Amount"])
    for limit in (budget.get("PlannedBudgetLimits") or {}).values():
        limit["Amount"] = str(limit["Amount"])
    if "TimePeriod" in budget:
        budget["TimePeriod"] = {k: _as_epoch(v) for k, v in budget["TimePeriod"].items()}
    return budget


def _notifications_from_template(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``NotificationsWithSubscribers`` as CreateBudget takes them (``ThresholdType`` PERCENTAGE by default)."""
    notifications = []
    for item in items:
        notification = dict(item["Notification"])
        notification["Threshold"] = float(notification["Threshold"])
        notification.setdefault("ThresholdType", "PERCENTAGE")
        notifications.append({"Notification": notification, "Subscribers": list(item["Subscribers"])})
    return notifications


#: CreateBudget's limits: notifications per budget, and subscribers per notification by type.
MAX_NOTIFICATIONS = 5
MAX_SUBSCRIBERS = {"SNS": 1, "EMAIL": 10}


class CreationLimitExceededError(ServiceException):
    """Budgets' answer to too many notifications or subscribers (serialized in the calling API's protocol: moto
    creates the resources inside the CreateStack call)."""

    code = "CreationLimitExceededException"


def check_limits(notifications: list[dict[str, Any]]) -> None:
    """Raise CreationLimitExceededError where CreateBudget would."""
    if len(notifications) > MAX_NOTIFICATIONS:
        raise CreationLimitExceededError(
            f"{len(notifications)} notifications; a budget can have up to {MAX_NOTIFICATIONS}"
        )
    for notification in notifications:
        for kind, limit in MAX_SUBSCRIBERS.items():
            count = sum(1 for s in notification["Subscribers"] if s.get("SubscriptionType") == kind)
            if count > limit:
                raise CreationLimitExceededError(
                    f"{count} {kind} subscribers; a notification can have up to {limit}"
                )


class Budget(CfnResource, CloudFormationModel):
    """``AWS::Budgets::Budget`` with its ``NotificationsWithSubscribers``.

    It declares no name property: the name sits in ``Budget.BudgetName``, not at the top level, and
    :meth:`create` reads it there (else moto's generated name is used).
    """

    CFN_TYPE = "AWS::Budgets::Budget"
    CFN_PHYSICAL_ID = "budget_name"

    def __init__(self, account_id: str, budget_name: str) -> None:
        self.account_id = account_id
        self.budget_name = budget_name

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> Budget:
        """CreateBudget with the budget and its notifications converted to the API's shapes."""
        budget_name = properties["Budget"].get("BudgetName") or name
        notifications = _notifications_from_template(properties.get("NotificationsWithSubscribers", []))
        check_limits(notifications)
        _backend(account_id, region_name).create_budget(
            account_id=account_id,
            budget=_budget_from_template(properties["Budget"], budget_name),
            notifications=notifications,
        )
        return cls(account_id, budget_name)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> Budget:
        """The budget named ``physical_id`` in ``account_id``."""
        return cls(account_id, physical_id)

    def delete(self, account_id: str, region_name: str) -> None:
        """DeleteBudget (which deletes its notifications), if it still exists."""
        backend = _backend(account_id, region_name)
        if self.budget_name in backend.budgets[account_id]:
            backend.delete_budget(account_id, self.budget_name)
