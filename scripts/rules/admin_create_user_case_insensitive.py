"""In a pool whose usernames are case-insensitive, AdminCreateUser of a
username that differs from an existing one only in case is refused
(issue 20, item 13). moto keeps "Alice" and "alice" as two users.
"""
from . import Refusal

NAME = "admin-create-user-case-insensitive"
SOURCE = ("CognitoIdentityProvider API reference, UsernameConfigurationType.CaseSensitive "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html): "
          "\"False - Enables case insensitivity for all username input. For example, when this option is set to False, users "
          "can sign in using username, USERNAME, or UserName. This option also enables both preferred_username and email "
          "alias to be case insensitive, in addition to the username attribute.\"")


def check(op, params, ctx):
    if op != "AdminCreateUser":
        return None
    pool_id, name = params.get("UserPoolId"), params.get("Username")
    pool = ctx.pool(pool_id)
    if not pool or not name or (pool.get("UsernameConfiguration") or {}).get("CaseSensitive", True):
        return None
    existing = ctx.usernames(pool_id) or ()
    if any(u.lower() == name.lower() for u in existing):
        return Refusal(400, "UsernameExistsException", "User account already exists")
    return None
