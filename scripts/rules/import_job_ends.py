"""An import job can end Failed, Stopped or Expired, not only Succeeded (issue 20, item 8).

Shapes answers: the simulator ends a job Failed with CompletionMessage "Too many users have failed
or been skipped" once more than FAILED_SHARE of the rows read so far failed (after MIN_ROWS rows).
AWS documents the Failed status, not its threshold: FAILED_SHARE is our assumption (TESTING.md).
--import-end STATUS[:ROWS] forces the end of the next job (Failed, Stopped or Expired)."""

NAME = "import-job-ends"
SOURCE = ("CognitoIdentityProvider API reference, UserImportJobType.Status "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserImportJobType.html): "
          "\"Stopped - You have stopped the job, and the job has stopped importing users. … Failed - The job has stopped "
          "due to an error. Expired - You created a job, but did not start the job within 24-48 hours. All data "
          "associated with the job was deleted, and the job can't be started.\"")
FAILED_SHARE = 0.5
MIN_ROWS = 20
FAILED_MESSAGE = "Too many users have failed or been skipped"


def check(op, params, ctx):
    return None
