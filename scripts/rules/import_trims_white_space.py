"""Cognito trims leading and trailing white space from the values of an import CSV (issue 20, item 8).

Shapes answers: the simulator strips every value of a row before it makes the user."""

NAME = "import-trims-white-space"
SOURCE = ("Issue 20 item 8 (\"Cognito trims leading and trailing white space from values when it imports\"). "
          "The guide's sentence was not found by search: TESTING.md records this as an assumption.")


def check(op, params, ctx):
    return None
