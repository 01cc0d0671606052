"""Links to report.html for the summary e-mail: a presigned GET URL with its true expiry, and the console path.

A presigned URL carries the signer's credentials, and "if you created a presigned URL by using a temporary
token, then the URL expires when the token expires, even if you created the URL with a later expiration time"
(Amazon S3 user guide, "Sharing objects with presigned URLs"; SigV4 caps X-Amz-Expires at 7 days). A Lambda
function's credentials are its execution role's temporary session, whose end Lambda does not expose, so a URL
signed with them would state an expiry nobody can vouch for. The reporter therefore assumes a dedicated
read-only role (``REPORT_LINK_ROLE_ARN``: ``s3:GetObject`` on ``reports/*/report.html`` and ``kms:Decrypt``
through S3 only) and signs with that session: AssumeRole answers the session's ``Expiration``, and the URL's
``X-Amz-Expires`` is the time left until then, so the stated expiry is the true one. Assuming a role from a
role session is role chaining, which "limits your AWS CLI or AWS API role session to a maximum of one hour"
(IAM user guide, "Roles terms and concepts"; AssumeRole API reference, DurationSeconds): the link lives one
hour. The durable link is the object's page in the S3 console (sign-in and read access needed).

The bucket is SSE-KMS: a GET of such an object must be signed with SigV4 (S3 user guide, "Specifying
server-side encryption with AWS KMS") and succeeds only if the signer may ``kms:Decrypt`` with the key
(S3 user guide, "Using server-side encryption with AWS KMS keys": permissions), hence both in the link role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common.aws import partition_of
from lambdas.common.retry import call_with_backoff, describe_error

if TYPE_CHECKING:
    from mypy_boto3_sts import STSClient

#: Role chaining caps the session at one hour (see the module docstring).
LINK_SESSION_S = 3600
SESSION_NAME = "infersave-report-link"
#: The S3 console's object page, by partition (console domains of the AWS partitions).
_CONSOLES = {
    "aws": "https://console.aws.amazon.com",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
    "aws-cn": "https://console.amazonaws.cn",
}


@dataclass(frozen=True)
class PresignedLink:
    """A presigned GET URL and the instant it stops working (UTC)."""

    url: str
    expires_at: datetime


def console_url(bucket: str, key: str, region: str) -> str | None:
    """The object's page in the S3 console (the durable link), None in a partition without a known console."""
    console = _CONSOLES.get(partition_of(region))
    if console is None:
        return None
    return f"{console}/s3/object/{quote(bucket)}?region={quote(region)}&prefix={quote(key, safe='')}"


def presign_page(
    sts: STSClient, role_arn: str, bucket: str, key: str, region: str, *, now: datetime | None = None
) -> PresignedLink:
    """Assume ``role_arn`` for :data:`LINK_SESSION_S` and presign a GET of ``bucket``/``key`` that expires
    with that session. Raises ClientError/BotoCoreError when the role cannot be assumed."""
    answer = call_with_backoff(
        partial(
            sts.assume_role, RoleArn=role_arn, RoleSessionName=SESSION_NAME, DurationSeconds=LINK_SESSION_S
        )
    )
    credentials = answer["Credentials"]
    expires_at = credentials["Expiration"].astimezone(UTC)
    now = now or datetime.now(UTC)
    seconds_left = int((expires_at - now).total_seconds()) - 5  # margin: X-Amz-Date is a moment after now
    if seconds_left < 60:
        raise ValueError(
            f"the link role session ends at {expires_at:%Y-%m-%d %H:%M:%S} UTC: too soon for a link"
        )
    s3 = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    ).client("s3", config=Config(signature_version="s3v4"))  # SSE-KMS objects need SigV4
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=seconds_left
    )
    # X-Amz-Expires counts from the signing time (X-Amz-Date, whole seconds): never past the session's end.
    return PresignedLink(url=url, expires_at=now + timedelta(seconds=seconds_left))


def link_lines(sts: STSClient | None, role_arn: str | None, bucket: str, key: str, region: str) -> list[str]:
    """The e-mail's lines about where the page is: the presigned link with its expiry (or why there is
    none), the console page, the S3 URI. Never raises: a missing link is stated, the mail still goes."""
    lines = []
    if sts is None or role_arn is None:
        lines.append("No presigned link: REPORT_LINK_ROLE_ARN is not set.")
    else:
        try:
            link = presign_page(sts, role_arn, bucket, key, region)
        except (ClientError, BotoCoreError) as exc:
            lines.append(f"No presigned link: could not assume {role_arn}: {describe_error(exc)}")
        except ValueError as exc:
            lines.append(f"No presigned link: {exc}")
        else:
            lines += [
                f"Open the page (presigned link, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC):",
                link.url,
                "(One hour: a presigned URL cannot outlive the role session that signed it, and the reporter's "
                "link role session is capped at one hour.)",
            ]
    console = console_url(bucket, key, region)
    if console:
        lines += ["Durable link (AWS console, sign-in needed):", console]
    lines.append(f"S3: s3://{bucket}/{key}")
    return lines
