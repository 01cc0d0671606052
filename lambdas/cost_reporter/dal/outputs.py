"""Report outputs: the report files in S3, their manifest, and the summary on SNS.

The files of one run are published as one set: each file is put first (the bucket is versioned), then
``manifest.json`` names the version id and SHA-256 of each. S3 has no multi-object transaction, so a reader
that reads the keys directly during a rerun could mix two runs; a reader that reads the manifest and
then each file at its version id never does. The manifest is written last, so it never names a file that
is not there. Failures raise: a report that is not written or not announced must fail the run visibly
(through the function's on-failure destination and its alarm).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

REPORTS_PREFIX = "reports"
MANIFEST = "manifest.json"
CONTENT_TYPES = {
    "report.json": "application/json",
    "report.csv": "text/csv; charset=utf-8",
    "daily.csv": "text/csv; charset=utf-8",
    "components.csv": "text/csv; charset=utf-8",
    "report.md": "text/markdown; charset=utf-8",
    "report.html": "text/html; charset=utf-8",
}
#: SNS e-mail subjects: ASCII, at most 100 characters.
MAX_SUBJECT_CHARS = 100


def report_key(period_key: str, file_name: str) -> str:
    """``reports/<start>_<end>/<file>``: a rerun for the same period overwrites the same key."""
    return f"{REPORTS_PREFIX}/{period_key}/{file_name}"


def manifest_document(status: str, files: Mapping[str, Mapping[str, str | None]]) -> dict[str, Any]:
    """The manifest of one run: its status and, per file, key, version id (None unversioned) and SHA-256."""
    return {"status": status, "files": {name: dict(entry) for name, entry in files.items()}}


def sha256_hex(body: bytes) -> str:
    """Hex SHA-256 of a file's bytes, as the manifest records it."""
    return hashlib.sha256(body).hexdigest()


def write_report(
    s3: S3Client, bucket: str, period_key: str, files: Mapping[str, str], status: str = "complete"
) -> list[str]:
    """Put each file (name -> text) under the period's folder, then the manifest; returns the keys written.

    Encryption is the bucket's default (SSE-KMS set by the stack), so no SSE parameter is sent here.
    """
    keys: list[str] = []
    entries: dict[str, dict[str, str | None]] = {}
    for file_name, text in files.items():
        key = report_key(period_key, file_name)
        body = text.encode("utf-8")
        answer = s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=CONTENT_TYPES.get(file_name, "application/octet-stream"),
        )
        entries[file_name] = {"key": key, "version_id": answer.get("VersionId"), "sha256": sha256_hex(body)}
        keys.append(key)
    manifest_key = report_key(period_key, MANIFEST)
    s3.put_object(
        Bucket=bucket,
        Key=manifest_key,
        Body=(json.dumps(manifest_document(status, entries), indent=2) + "\n").encode("utf-8"),
        ContentType="application/json",
    )
    return [*keys, manifest_key]


def publish_summary(sns: SNSClient, topic_arn: str, subject: str, message: str) -> str:
    """Publish the e-mail summary; returns the message id."""
    safe_subject = subject.encode("ascii", "replace").decode("ascii")[:MAX_SUBJECT_CHARS]
    return sns.publish(TopicArn=topic_arn, Subject=safe_subject, Message=message)["MessageId"]
