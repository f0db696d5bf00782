"""A request signed for another region than its bucket's is redirected, not served (issue 20, item 5).

moto serves every region on one endpoint and every bucket whatever region a
request is signed for. S3 does not: a request that reaches the wrong region
gets a redirect naming the bucket's region in x-amz-bucket-region (301
PermanentRedirect; 400 in regions launched after March 2019). The region a
request went to is, on one endpoint, the region it is signed for (the
Authorization header's credential scope). GetBucketLocation, CreateBucket
and requests without an Authorization header (pre-signed URLs) are left alone.
"""
import re

from . import Refusal

NAME = "s3-wrong-region"
SOURCE = ("Amazon S3 API reference, Request routing (https://docs.aws.amazon.com/AmazonS3/latest/API/UsingRouting.html): "
          "\"If a request is incorrectly formed, Amazon S3 uses permanent redirects to provide direction on how to perform "
          "the request correctly.\" and \"For all Regions that launched after March 20, 2019, if a request arrives at the wrong "
          "Amazon S3 location, Amazon S3 returns an HTTP 400 Bad Request error.\"")
SERVICES = ("s3",)

SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/s3/aws4_request")


def check(op, params, ctx):
    signed = SCOPE.search(params.get("headers", {}).get("authorization") or "")
    parts = params.get("path", "/").lstrip("/").split("/", 1)
    bucket = parts[0]
    if not signed or not bucket:
        return None
    if "location" in params.get("query", {}):
        return None  # GetBucketLocation answers from any region
    if params.get("method") == "PUT" and (len(parts) == 1 or not parts[1]) and not params.get("query"):
        return None  # CreateBucket: the bucket is made where the request says
    region = ctx.bucket_region(bucket)
    if region is None or region == signed.group(1):
        return None
    return Refusal(301, "PermanentRedirect",
                   "The bucket you are attempting to access must be addressed using the specified endpoint. "
                   "Please send all future requests to this endpoint.",
                   headers=(("x-amz-bucket-region", region),))
