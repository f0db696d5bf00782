"""GetObjectRetention, which moto 5 lacks, served as S3 documents it (issue 20, item 6).

moto answers GET /KEY?retention as a GetObject, checked against s3:GetObject.
While this rule is on, aws_proxy.py answers it itself (s3_documented.py):
403 AccessDenied without s3:GetObjectRetention, 400 InvalidRequest in a
bucket without Object Lock, 404 NoSuchObjectLockConfiguration for an object
without retention, else the Retention document.
"""
NAME = "s3-get-object-retention"
SOURCE = ("Amazon S3 API reference, GetObjectRetention (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectRetention.html): "
          "\"Retrieves an object's retention settings.\"; its permission, s3:GetObjectRetention, as HeadObject's page names it "
          "(see s3-object-lock-headers-need-permission). The error codes for a bucket without Object Lock and an object "
          "without retention are assumptions (TESTING.md).")
SERVICES = ("s3",)


def check(op, params, ctx):
    return None
