"""Report outputs: the three files in S3 and the summary on SNS.

Failures raise: a report that is not written or not announced must fail the run visibly (through the
function's on-failure destination and its alarm).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

REPORTS_PREFIX = "reports"
CONTENT_TYPES = {
    "report.json": "application/json",
    "report.csv": "text/csv; charset=utf-8",
    "report.md": "text/markdown; charset=utf-8",
}
#: SNS e-mail subjects: ASCII, at most 100 characters.
MAX_SUBJECT_CHARS = 100


def report_key(period_key: str, file_name: str) -> str:
    """``reports/<start>_<end>/<file>``: a rerun for the same period overwrites the same key."""
    return f"{REPORTS_PREFIX}/{period_key}/{file_name}"


def write_report(s3: S3Client, bucket: str, period_key: str, files: Mapping[str, str]) -> list[str]:
    """Put each file (name -> text) under the period's folder; returns the keys written.

    Encryption is the bucket's default (SSE-KMS set by the stack), so no SSE parameter is sent here.
    """
    keys: list[str] = []
    for file_name, body in files.items():
        key = report_key(period_key, file_name)
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body.encode("utf-8"),
            ContentType=CONTENT_TYPES.get(file_name, "application/octet-stream"),
        )
        keys.append(key)
    return keys


def publish_summary(sns: SNSClient, topic_arn: str, subject: str, message: str) -> str:
    """Publish the e-mail summary; returns the message id."""
    safe_subject = subject.encode("ascii", "replace").decode("ascii")[:MAX_SUBJECT_CHARS]
    return sns.publish(TopicArn=topic_arn, Subject=safe_subject, Message=message)["MessageId"]
