"""A row of an import CSV is at most 16,000 characters (issue 20, item 8).

Shapes answers: the simulator fails a longer row (FailedUsers), as Cognito fails a user it cannot read."""

NAME = "import-row-16000-characters"
SOURCE = ("Issue 20 item 8 (\"A row is at most 16,000 characters\"). The guide's sentence was not found by "
          "search: TESTING.md records this as an assumption.")
LIMIT = 16000


def check(op, params, ctx):
    return None
