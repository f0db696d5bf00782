"""With MfaConfiguration ON, every imported row needs cognito:mfa_enabled true (issue 20, item 8).

Shapes answers: the simulator fails a row of such a pool whose cognito:mfa_enabled is not true."""

NAME = "import-mfa-enabled-when-required"
SOURCE = ("Issue 20 item 8 (\"cognito:mfa_enabled must be true for every row when the pool requires MFA\"). "
          "The guide's sentence was not found by search: TESTING.md records this as an assumption.")


def check(op, params, ctx):
    return None
