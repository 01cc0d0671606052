"""Capacity recorder: every 5 minutes, the instances of each project endpoint and the copies (and Inferentia2 chips)
of each inference component, as CloudWatch samples (``lambdas.common.capacity``).

Why: Cost Explorer gives instance-hours per day only, and no AWS metric gives an inference component's copies
per hour; these series give the report a measured idle cost and a measured split of a shared endpoint.

Layout: ``handler`` (thin Lambda entry point), ``settings`` (environment, validated once), ``service`` (one run),
``reads`` (SageMaker and Tagging API reads), ``series`` (pure: samples and PutMetricData batches), ``publish``
(PutMetricData).
"""
