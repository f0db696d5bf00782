"""AdminCreateUser without email, phone number or TemporaryPassword where passwordless sign-in is on (issue 20, item 12)."""
from . import Refusal

NAME = "admin-create-user-passwordless-contact"
SOURCE = ("Amazon Cognito API reference, AdminCreateUser "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html), "
          "UserAttributes: \"You must also provide an email address or phone number when you expect the user to do "
          "passwordless sign-in with an email or SMS OTP. These attributes must be provided when passwordless options are "
          "the only available, or when you don't submit a TemporaryPassword.\"; TemporaryPassword: \"If you don't specify a "
          "value, Amazon Cognito generates one for you unless you have passwordless options active for your user pool.\"")

PASSWORDLESS = {"EMAIL_OTP", "SMS_OTP"}


def check(op, params, ctx):
    if op != "AdminCreateUser":
        return None
    names = {a.get("Name") for a in params.get("UserAttributes") or []}
    if "email" in names or "phone_number" in names:
        return None
    pool = ctx.pool(params.get("UserPoolId")) or {}
    factors = set(((pool.get("Policies") or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors") or [])
    only_passwordless = bool(factors) and "PASSWORD" not in factors
    no_password = not params.get("TemporaryPassword") and bool(factors & PASSWORDLESS)
    if only_passwordless or no_password:
        why = ("passwordless sign-in is the only option" if only_passwordless
               else "passwordless sign-in is on and no TemporaryPassword was given")
        return Refusal(400, "InvalidParameterException",
                       f"The user needs an email or phone_number attribute: {why} "
                       f"(AllowedFirstAuthFactors {', '.join(sorted(factors))}).")
    return None
