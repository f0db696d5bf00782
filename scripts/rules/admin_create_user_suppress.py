"""Every AdminCreateUser snap sends carries MessageAction SUPPRESS: a restore never mails a user (issue 20).

snap's own invariant, backed by the API reference: without SUPPRESS, Cognito
sends the new user an invitation (email or SMS) with a temporary password.
AWS would accept the request; this rule refuses it so a test that would have
mailed real people fails instead.
"""
from . import Refusal

NAME = "admin-create-user-suppress"
SOURCE = ("CognitoIdentityProvider API reference, AdminCreateUser "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html): "
          "\"If MessageAction isn't set, the default is to send a welcome message via email or phone (SMS).\" and "
          "\"Alternatively, you can call AdminCreateUser with SUPPRESS for the MessageAction parameter, and Amazon Cognito "
          "won't send any email.\"")


def check(op, params, ctx):
    if op != "AdminCreateUser":
        return None
    action = params.get("MessageAction")
    if action != "SUPPRESS":
        shown = "no MessageAction" if action is None else f"MessageAction {action}"
        return Refusal(400, "SnapRuleViolation",
                       f"AdminCreateUser for {params.get('Username')!r} with {shown}: Cognito would send the user a "
                       "message; snap must send MessageAction SUPPRESS on every restore write")
    return None
