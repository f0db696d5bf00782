"""Email MFA needs the Essentials tier or higher and email sent with Amazon SES (issue 20, item 4)."""
from . import Refusal

NAME = "email-mfa-needs-essentials-and-ses"
SOURCE = ("Amazon Cognito API reference, EmailMfaConfigType "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailMfaConfigType.html): "
          "\"To activate this setting, your user pool must be in the Essentials tier or higher.\"; and the developer guide, "
          "Email MFA (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-advanced-security-email-mfa.html): "
          "\"To enable email-based MFA, the user pool must be configured to use the Amazon SES email-sending configuration "
          "instead of the default email configuration.\"")


def check(op, params, ctx):
    if op != "SetUserPoolMfaConfig" or params.get("EmailMfaConfiguration") is None:
        return None
    pool = ctx.pool(params.get("UserPoolId"))
    if pool is None:
        return None  # unknown pool: the service answers ResourceNotFoundException itself
    tier = pool.get("UserPoolTier") or "ESSENTIALS"
    if tier == "LITE":
        return Refusal(400, "InvalidParameterException",
                       "Email MFA is not available for the LITE tier: to activate this setting, your user pool must be "
                       "in the Essentials tier or higher.")
    account = (pool.get("EmailConfiguration") or {}).get("EmailSendingAccount") or "COGNITO_DEFAULT"
    if account != "DEVELOPER":
        return Refusal(400, "InvalidParameterException",
                       "Email MFA needs the user pool to send email with Amazon SES (EmailSendingAccount DEVELOPER), "
                       f"not {account}.")
    return None
