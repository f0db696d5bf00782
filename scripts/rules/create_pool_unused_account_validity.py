"""CreateUserPool refuses UnusedAccountValidityDays beside TemporaryPasswordValidityDays (issue 20, item 1)."""
from . import Refusal

NAME = "create-pool-unused-account-validity"
SOURCE = ("CognitoIdentityProvider API reference, AdminCreateUserConfigType.UnusedAccountValidityDays "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUserConfigType.html) "
          "and PasswordPolicyType.TemporaryPasswordValidityDays: \"When you set TemporaryPasswordValidityDays for a user pool, "
          "you can no longer set a value for the legacy UnusedAccountValidityDays parameter in that user pool.\"")


def check(op, params, ctx):
    if op not in ("CreateUserPool", "UpdateUserPool"):
        return None
    legacy = (params.get("AdminCreateUserConfig") or {}).get("UnusedAccountValidityDays")
    current = ((params.get("Policies") or {}).get("PasswordPolicy") or {}).get("TemporaryPasswordValidityDays")
    if legacy is not None and current is not None:
        return Refusal(400, "InvalidParameterException",
                       "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays")
    return None
