"""HeadObject and GetObject show an object's Object Lock retention and legal
hold only to a caller allowed to read them (issue 20, item 6).

Shapes answers rather than refusing requests: aws_proxy.py strips the
headers (s3_documented.py) while this rule is on; moto shows them to anyone.
"""
NAME = "s3-object-lock-headers-need-permission"
SOURCE = ("Amazon S3 API reference, HeadObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html), "
          "x-amz-object-lock-mode: \"The Object Lock mode, if any, that's in effect for this object. This header is only "
          "returned if the requester has the s3:GetObjectRetention permission.\" (likewise x-amz-object-lock-retain-until-date; "
          "x-amz-object-lock-legal-hold: \"This header is only returned if the requester has the s3:GetObjectLegalHold permission.\")")
SERVICES = ("s3",)


def check(op, params, ctx):
    return None
