"""AdminSetUserPassword's Password meets the pool's PasswordPolicy, else InvalidPasswordException (issue 20).

The policy is the pool's own (DescribeUserPool's Policies.PasswordPolicy;
Cognito's defaults, 8 characters and every class, when a pool shows none).
The symbols are the developer guide's list. The message follows Cognito's
"Password did not conform with policy: ..." shape (TESTING.md: assumption).
"""
from . import Refusal

NAME = "password-policy"
SOURCE = ("Amazon Cognito Developer Guide, Adding user pool password requirements "
          "(https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html): "
          "\"Require a special character from this set: ^ $ * . [ ] { } ( ) ? \" ! @ # % & / \\ , > < ' : ; | _ ~ ` = + -\"; "
          "and API reference, AdminSetUserPassword, Errors: \"InvalidPasswordException: This exception is thrown when "
          "Amazon Cognito encounters an invalid password.\"")

SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")
UPPER = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
LOWER = set("abcdefghijklmnopqrstuvwxyz")
DIGITS = set("0123456789")


def problem(password, policy):
    """The first way password breaks policy, in Cognito's words, or None."""
    policy = policy or {}
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password not long enough"
    if policy.get("RequireUppercase", True) and not UPPER & set(password):
        return "Password must have uppercase characters"
    if policy.get("RequireLowercase", True) and not LOWER & set(password):
        return "Password must have lowercase characters"
    if policy.get("RequireNumbers", True) and not DIGITS & set(password):
        return "Password must have numeric characters"
    # A space inside the password (not leading or trailing) also counts as a symbol.
    if policy.get("RequireSymbols", True) and not (SYMBOLS & set(password) or " " in password.strip()):
        return "Password must have symbol characters"
    return None


def check(op, params, ctx):
    if op != "AdminSetUserPassword":
        return None
    pool = ctx.pool(params.get("UserPoolId"))
    if pool is None:
        return None
    policy = ((pool.get("Policies") or {}).get("PasswordPolicy")) or {}
    bad = problem(params.get("Password") or "", policy)
    if bad:
        return Refusal(400, "InvalidPasswordException", f"Password did not conform with policy: {bad}")
    return None
