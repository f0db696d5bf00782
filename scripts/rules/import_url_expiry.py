"""The pre-signed URL CreateUserImportJob returns lives 15 minutes (issue 20, item 8).

Shapes answers (the upload goes to S3, not to Cognito's API): the simulator refuses a PUT to a URL
older than 15 minutes (divided by --time-scale, like its other clocks) as S3 refuses an expired
pre-signed request: HTTP 403, AccessDenied, "Request has expired"."""

NAME = "import-url-15-minutes"
SOURCE = ("Amazon Cognito Developer Guide, \"Creating and running the Amazon Cognito user pool import job\" "
          "(https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-creating-import-job.html): "
          "\"The PRE_SIGNED_URL returned in the response is valid for 15 minutes.\"")
LIFE = 15 * 60


def check(op, params, ctx):
    return None
