"""Only one import job may be active (Pending or InProgress) per account and Region (issue 20, item 8).

Shapes answers: the simulator refuses CreateUserImportJob while another job is Pending, InProgress
or Stopping (LimitExceededException, which the model lists for CreateUserImportJob and not for
StartUserImportJob). --foreign-job SECONDS makes a job someone else runs for that long."""

NAME = "import-one-active-job"
SOURCE = ("Issue 20 item 8 (\"Only one import job may be active per account and region\"); the model lists "
          "LimitExceededException for CreateUserImportJob: \"This exception is thrown when a user exceeds the limit "
          "for a requested Amazon Web Services resource.\" The guide's sentence was not found: TESTING.md records "
          "this as an assumption.")


def check(op, params, ctx):
    return None
