"""``SavingsDashboard``: actual vs GPU-baseline cost, savings and invocations per endpoint, from the metrics the
cost reporter emits (EMF) and SageMaker's own ``Invocations``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

ONE_DAY = cdk.Duration.days(1)


class SavingsDashboard(Construct):
    """Exposes ``dashboard`` and ``dashboard_name``.

    Up to ``top_endpoints`` endpoints (the reporter's per-endpoint metric count, ``None``: no cap) get two
    graphs each; past it, the dashboard draws two search graphs instead (the endpoints with their own cost
    metrics, i.e. the most expensive: their cost and their invocations): two widgets at
    any fleet size, below CloudWatch's 500 widgets per dashboard and the template's size limit.

    ``components`` names the inference components of each inference-component endpoint: their invocations are
    graphed per component (``AWS/SageMaker`` with dimension ``InferenceComponentName``), the series SageMaker
    documents for them; it documents no variant-level invocation series on such an endpoint (SageMaker developer
    guide, "SageMaker AI endpoint invocation metrics", dimension sets).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        project: str,
        endpoint_names: list[str],
        namespace: str,
        service: str,
        variant_name: str,
        top_endpoints: int | None = None,
        components: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dashboard_name = f"infersave-{project}-savings"

        def report_metric(name: str, endpoint: str | None = None) -> cloudwatch.Metric:
            dims = {"service": service, "ReportType": "month_to_date"}
            if endpoint:
                dims["EndpointName"] = endpoint
            # Month-to-date values are cumulative: the day's Maximum is the latest figure.
            return cloudwatch.Metric(
                namespace=namespace,
                metric_name=name,
                dimensions_map=dims,
                statistic="Maximum",
                period=ONE_DAY,
                label=f"{endpoint or 'total'} {name}",
            )

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=self.dashboard_name)
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown=(
                    f"# infersave {project}: Inferentia2 vs GPU baseline\n"
                    "Month-to-date USD from the daily cost report. baseline = instance-hours x capacity ratio x "
                    "baseline on-demand price + other cost; savings = baseline - actual. Reports (with every "
                    "assumption) are in the reports bucket."
                ),
                width=24,
                height=3,
            ),
            cloudwatch.SingleValueWidget(
                title="Month to date (USD, %)",
                metrics=[
                    report_metric(n) for n in ("ActualCost", "BaselineCost", "Savings", "SavingsPercent")
                ],
                width=24,
                height=4,
            ),
        )
        if top_endpoints is not None and len(endpoint_names) > top_endpoints:
            self._add_search_widgets(project, namespace, service, top_endpoints)
            return
        for endpoint in endpoint_names:
            self.dashboard.add_widgets(
                cloudwatch.GraphWidget(
                    title=f"{endpoint}: actual vs baseline cost (USD, month to date)",
                    left=[report_metric("ActualCost", endpoint), report_metric("BaselineCost", endpoint)],
                    right=[report_metric("Savings", endpoint)],
                    width=12,
                ),
                cloudwatch.GraphWidget(
                    title=f"{endpoint}: invocations per hour",
                    left=_invocations(endpoint, variant_name, (components or {}).get(endpoint, ())),
                    width=12,
                ),
            )

    def _add_search_widgets(self, project: str, namespace: str, service: str, top_endpoints: int) -> None:
        """Graphs whose series CloudWatch finds at view time among the reporter's per-endpoint metrics (the top
        endpoints by cost); SEARCH returns up to 500 time series, and quoted terms match whole values
        (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html)."""

        def search(metric_name: str) -> cloudwatch.SearchExpression:
            return cloudwatch.SearchExpression(
                expression=(
                    f'SEARCH(\'{{{namespace},EndpointName,ReportType,service}} MetricName="{metric_name}" '
                    f'ReportType="month_to_date" service="{service}"\', \'Maximum\', 86400)'
                ),
                label="",
            )

        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title=f"{project}: the {top_endpoints} most expensive endpoints, actual cost (USD, month to date)",
                left=[search("ActualCost")],
                width=24,
                height=8,
            ),
            cloudwatch.GraphWidget(
                title=f"{project}: the same endpoints' invocations (month to date)",
                left=[search("Invocations")],
                width=24,
                height=8,
            ),
        )


def _invocations(endpoint: str, variant_name: str, components: Sequence[str]) -> list[cloudwatch.IMetric]:
    """The endpoint's variant ``Invocations``, or one series per inference component when it has components."""

    def metric(dimensions: dict[str, str], label: str | None = None) -> cloudwatch.IMetric:
        return cloudwatch.Metric(
            namespace="AWS/SageMaker",
            metric_name="Invocations",
            dimensions_map=dimensions,
            statistic="Sum",
            period=cdk.Duration.hours(1),
            label=label,
        )

    if components:
        return [metric({"InferenceComponentName": name}, name) for name in components]
    return [metric({"EndpointName": endpoint, "VariantName": variant_name})]
