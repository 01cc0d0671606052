"""The e-mail's links to report.html: a presigned GET signed by the link role's session, expiring with it, the
console page as the durable link, and a stated reason when there is no presigned link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.stub import Stubber
from cost_helpers import ACCOUNT, BUCKET, REGION

from lambdas.cost_reporter.dal import links

ROLE = f"arn:aws:iam::{ACCOUNT}:role/report-link"
KEY = "reports/2026-10-01_2026-11-01/report.html"


def test_the_link_is_signed_by_the_role_session_and_expires_with_it(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"<!DOCTYPE html>page", ContentType="text/html")
    sts = boto3.client("sts", region_name=REGION)
    now = datetime.now(UTC)

    link = links.presign_page(sts, ROLE, BUCKET, KEY, REGION, now=now)

    query = parse_qs(urlsplit(link.url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]  # SigV4, as SSE-KMS objects require
    assert query["X-Amz-Security-Token"]  # the role session's token: the URL dies with the session
    expires_in = int(query["X-Amz-Expires"][0])
    # The session lasts 3600 s (role chaining's cap); the URL is the time left, minus a 5 s margin.
    assert 3590 <= expires_in <= 3595
    assert link.expires_at == now + timedelta(seconds=expires_in)
    assert requests.get(link.url, timeout=5).content == b"<!DOCTYPE html>page"


def test_the_mail_says_why_there_is_no_presigned_link_and_still_gives_the_durable_ones() -> None:
    sts = boto3.client("sts", region_name=REGION, config=Config(retries={"max_attempts": 1}))
    stub = Stubber(sts)
    stub.add_client_error("assume_role", "AccessDenied", "not authorized to perform sts:AssumeRole")

    with stub:
        lines = links.link_lines(sts, ROLE, BUCKET, KEY, REGION)

    assert lines[0].startswith(f"No presigned link: could not assume {ROLE}: ") and "AccessDenied" in lines[0]
    assert lines[1:] == [
        "Durable link (AWS console, sign-in needed):",
        f"https://console.aws.amazon.com/s3/object/{BUCKET}?region=us-east-1&prefix="
        "reports%2F2026-10-01_2026-11-01%2Freport.html",
        f"S3: s3://{BUCKET}/{KEY}",
    ]
    assert links.link_lines(None, None, BUCKET, KEY, REGION)[0] == (
        "No presigned link: REPORT_LINK_ROLE_ARN is not set."
    )


@pytest.mark.parametrize(
    ("region", "console"),
    [
        ("eu-west-1", "https://console.aws.amazon.com"),
        ("us-gov-west-1", "https://console.amazonaws-us-gov.com"),
        ("cn-north-1", "https://console.amazonaws.cn"),
        ("us-iso-east-1", None),
    ],
)
def test_the_console_link_is_the_partitions(region: str, console: str | None) -> None:
    url = links.console_url(BUCKET, KEY, region)
    assert (url.split("/s3/", 1)[0] if url else None) == console


def test_a_session_about_to_end_gives_no_link(aws: None) -> None:
    sts = boto3.client("sts", region_name=REGION)
    late = datetime.now(UTC) + timedelta(seconds=3600 - 30)

    with pytest.raises(ValueError, match="too soon for a link"):
        links.presign_page(sts, ROLE, BUCKET, KEY, REGION, now=late)
