"""In a pool that signs in by email or phone number, AdminCreateUser's Username is that email or phone number (issue 20).

Such a pool has no usernames of its own: Cognito generates one (a UUID) and
takes the value sent as Username for the sign-in attribute. A Username that
is neither an email address nor a phone number (+ and digits) is refused, in
Cognito's words. Which refusal text Cognito uses is recorded in TESTING.md
as an assumption (the wording is not on an AWS page).
"""
import re

from . import Refusal

NAME = "username-sign-in-attribute"
SOURCE = ("CognitoIdentityProvider API reference, AdminCreateUser, Username "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html): "
          "\"You can only provide a value if usernames are a valid sign-in attribute for your user pool. If your user pool "
          "only supports phone numbers or email addresses as sign-in attributes, Amazon Cognito automatically generates a "
          "username value.\"")

EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
PHONE = re.compile(r"\+[0-9]{4,15}")


def check(op, params, ctx):
    if op != "AdminCreateUser":
        return None
    pool = ctx.pool(params.get("UserPoolId"))
    kinds = set((pool or {}).get("UsernameAttributes") or [])
    if not kinds:
        return None
    name = params.get("Username") or ""
    if "email" in kinds and EMAIL.fullmatch(name):
        return None
    if "phone_number" in kinds and PHONE.fullmatch(name):
        return None
    if kinds == {"email"}:
        message = "Username should be an email."
    elif kinds == {"phone_number"}:
        message = "Username should be a phone number."
    else:
        message = "Username should be either an email or a phone number."
    return Refusal(400, "InvalidParameterException", message)
