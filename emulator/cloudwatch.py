"""CloudFormation support for ``AWS::CloudWatch::Alarm``, backed by moto's CloudWatch backend.

moto 5.2.5 gap closed: its CloudFormation supports ``AWS::CloudWatch::Dashboard`` but skips
``AWS::CloudWatch::Alarm``, so the operational alarms of a deployed stack are missing from
``describe_alarms``. Here the alarm is made with the backend's ``put_metric_alarm`` (single metric or
``Metrics`` math queries, converted as the PutMetricAlarm API handler converts them). ``Ref`` gives the
alarm name and ``Fn::GetAtt Arn`` its ARN, as in CloudFormation.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html

API behaviour added (:func:`install`): GetMetricData refuses more than 500 ``MetricDataQueries`` with a
``ValidationError``, where moto answered any number ("A single GetMetricData call can include as many as 500
MetricDataQuery structures", GetMetricData API reference, ``MetricDataQueries``). The 100,800 data points per
call are not enforced: AWS pages them with ``NextToken`` (``MaxDatapoints``, default 100,800, "the maximum
number of data points the request should return before paginating"), which moto does not. PutMetricData refuses
more than 1,000 ``MetricData`` items with ``InvalidParameterValue`` ("Each request is also limited to no more than
1000 different metrics", PutMetricData API reference; the message in the form AWS words collection limits, as
reported in aws/aws-sdk-java-v2#3080), where moto took any number. The 1 MB request limit is not enforced.

A query reads only its own metric: a metric is its namespace, name and dimensions (CloudWatch API reference,
``Metric``: "Represents a specific metric": ``Namespace``, ``MetricName``, ``Dimensions``), and moto, given
dimensions, matched them and the name in any namespace. Each ``MetricStat`` query is answered by moto's own code
on the data points of its metric alone (same statistics, same periods), instead of moto scanning every stored
point of every metric for each period of each query, which made a month at 5-minute periods take tens of
seconds once the demo replays per-component and capacity series. Calls with math expressions keep moto's path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from moto.cloudwatch.exceptions import InvalidParameterValue, ValidationError
from moto.cloudwatch.models import (
    CloudWatchBackend,
    Dimension,
    Metric,
    MetricDataQuery,
    MetricDatumBase,
    MetricStat,
    cloudwatch_backends,
)
from moto.core.common_models import CloudFormationModel

from emulator.cfn_model import CfnResource, Properties, optional_int

#: GetMetricData's limit on ``MetricDataQueries`` per call (API reference).
MAX_METRIC_DATA_QUERIES = 500
#: PutMetricData's limit on ``MetricData`` items per call (API reference).
MAX_PUT_METRIC_DATA = 1000

_original_get_metric_data = CloudWatchBackend.get_metric_data


class _OneMetric:
    """The backend as one ``MetricStat`` query sees it: only the data points of its metric."""

    def __init__(self, backend: CloudWatchBackend, data: list[MetricDatumBase]) -> None:
        self._backend = backend
        self._data = data

    def get_all_metrics(self) -> list[MetricDatumBase]:
        return self._data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)


def _of_metric(backend: CloudWatchBackend, metric: Mapping[str, Any]) -> list[MetricDatumBase]:
    """The stored data points of ``metric`` (namespace and name; its dimensions exactly when it names any, as
    moto compares them)."""
    namespace, name = metric.get("Namespace"), metric.get("MetricName")
    wanted = sorted(Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
    return [
        datum
        for datum in backend.get_all_metrics()
        if datum.namespace == namespace
        and datum.name == name
        and (not wanted or sorted(datum.dimensions) == wanted)
    ]


def _get_metric_data(
    self: CloudWatchBackend, queries: list[dict[str, Any]], *args: Any, **kwargs: Any
) -> Any:
    """GetMetricData with AWS's limit of 500 queries per call, then moto's own answer, query by query on the
    data points of each query's metric."""
    if len(queries) > MAX_METRIC_DATA_QUERIES:
        raise ValidationError(
            f"The collection MetricDataQueries must not have a size greater than {MAX_METRIC_DATA_QUERIES}."
        )
    if any("MetricStat" not in query for query in queries):
        return _original_get_metric_data(self, queries, *args, **kwargs)
    results: list[Any] = []
    for query in queries:
        narrowed = _OneMetric(self, _of_metric(self, query["MetricStat"]["Metric"]))
        results += _original_get_metric_data(narrowed, [query], *args, **kwargs)  # type: ignore[arg-type]
    return results


_original_put_metric_data = CloudWatchBackend.put_metric_data


def _put_metric_data(self: CloudWatchBackend, namespace: str, metric_data: list[dict[str, Any]]) -> None:
    """PutMetricData with AWS's limit of 1,000 metrics per call, then moto's own handling."""
    if len(metric_data) > MAX_PUT_METRIC_DATA:
        raise InvalidParameterValue(
            f"The collection MetricData must not have a size greater than {MAX_PUT_METRIC_DATA}."
        )
    _original_put_metric_data(self, namespace, metric_data)


def install() -> None:
    """Enforce GetMetricData's 500-query and PutMetricData's 1,000-metric limits; answer each GetMetricData query
    from its own metric's data points."""
    CloudWatchBackend.get_metric_data = _get_metric_data  # type: ignore[method-assign]
    CloudWatchBackend.put_metric_data = _put_metric_data  # type: ignore[method-assign]


def _backend(account_id: str, region_name: str) -> CloudWatchBackend:
    return cloudwatch_backends[account_id][region_name]


def _metric_data_queries(metrics: list[dict[str, Any]]) -> list[MetricDataQuery]:
    """The template's ``Metrics`` as the queries PutMetricAlarm's handler builds from ``Metrics``."""
    queries = []
    for query in metrics:
        stat = query.get("MetricStat")
        metric_stat = None
        if stat:
            metric = stat["Metric"]
            metric_stat = MetricStat(
                metric=Metric(
                    metric_name=metric["MetricName"],
                    namespace=metric.get("Namespace"),
                    dimensions=[Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions", [])],
                ),
                period=stat.get("Period"),
                stat=stat.get("Stat"),
                unit=stat.get("Unit"),
            )
        queries.append(
            MetricDataQuery(
                query_id=query["Id"],
                label=query.get("Label"),  # type: ignore[arg-type]
                period=query.get("Period"),  # type: ignore[arg-type]
                return_data=query.get("ReturnData"),  # type: ignore[arg-type]
                expression=query.get("Expression"),
                metric_stat=metric_stat,
            )
        )
    return queries


class Alarm(CfnResource, CloudFormationModel):
    """``AWS::CloudWatch::Alarm`` (metric alarm)."""

    CFN_TYPE = "AWS::CloudWatch::Alarm"
    CFN_NAME_PROPERTY = "AlarmName"
    CFN_ATTRIBUTES: ClassVar[Mapping[str, str]] = {"Arn": "arn"}

    def __init__(self, name: str, arn: str) -> None:
        self.name = name
        self.arn = arn

    @classmethod
    def create(cls, name: str, properties: Properties, account_id: str, region_name: str) -> Alarm:
        """PutMetricAlarm with the template's properties."""
        threshold = properties.get("Threshold")
        alarm = _backend(account_id, region_name).put_metric_alarm(
            name=name,
            namespace=properties.get("Namespace"),
            metric_name=properties.get("MetricName"),
            metric_data_queries=_metric_data_queries(properties["Metrics"])
            if properties.get("Metrics")
            else None,
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=int(properties["EvaluationPeriods"]),
            datapoints_to_alarm=optional_int(properties.get("DatapointsToAlarm")),
            period=optional_int(properties.get("Period")),  # type: ignore[arg-type]
            threshold=None if threshold is None else float(threshold),  # type: ignore[arg-type]
            statistic=properties.get("Statistic"),
            extended_statistic=properties.get("ExtendedStatistic"),
            description=properties.get("AlarmDescription"),
            dimensions=properties.get("Dimensions", []),
            alarm_actions=properties.get("AlarmActions", []),
            ok_actions=properties.get("OKActions", []),
            insufficient_data_actions=properties.get("InsufficientDataActions", []),
            unit=properties.get("Unit"),
            actions_enabled=properties.get("ActionsEnabled", True) not in (False, "false"),
            treat_missing_data=properties.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=properties.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=properties.get("ThresholdMetricId"),
            tags=properties.get("Tags"),
        )
        return cls(alarm.name, alarm.alarm_arn)

    @classmethod
    def from_physical_id(
        cls, physical_id: str, properties: Properties, account_id: str, region_name: str
    ) -> Alarm:
        """The alarm named ``physical_id``."""
        return cls(physical_id, "")

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete the alarm (a no-op if already gone)."""
        _backend(account_id, region_name).delete_alarms([self.name])
