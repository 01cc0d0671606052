"""Scheduled cost reporter: tags infersave endpoints, reads the bill, reports savings vs the GPU baseline.

Runtime code only; the CDK construct that deploys it lives with the cost stack. Layout (after
ran-isenberg/aws-lambda-handler-cookbook):

- ``handler`` Lambda entry point (Powertools logger, metrics as EMF, tracer); ``__main__`` the command.
- ``settings`` environment, validated once; ``models`` typed data.
- ``logic``: ``period`` (report windows), ``savings`` (the money formula per day and period, pure Decimal),
  ``tokens`` (ratio source, cost per 1M tokens), ``render`` (JSON/CSV/daily CSV/Markdown/summary), ``html``
  (report.html), ``service`` (orchestration of one report run).
- ``dal``: AWS access, each function taking its boto3 client: ``clients``, ``retry``, ``resources``
  (Resource Groups Tagging API), ``cost_explorer``, ``cloudwatch``, ``pricing``, ``outputs`` (S3, SNS),
  ``links`` (the e-mail's presigned link), ``calibrations`` (calibration results in the bucket).
"""
