"""Threat protection (AdvancedSecurityMode AUDIT or ENFORCED) needs the Plus tier (issue 20, item 15)."""
from . import Refusal

NAME = "threat-protection-needs-plus"
SOURCE = ("Amazon Cognito API reference, UserPoolAddOnsType "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolAddOnsType.html), "
          "also CreateUserPool's UserPoolAddOns: \"To activate this setting, your user pool must be on the Plus tier.\"; "
          "CreateUserPool's UserPoolTier: \"Defaults to ESSENTIALS.\"")


def check(op, params, ctx):
    if op not in ("CreateUserPool", "UpdateUserPool"):
        return None
    mode = (params.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode")
    if mode not in ("AUDIT", "ENFORCED"):
        return None
    tier = params.get("UserPoolTier")
    if tier is None and op == "UpdateUserPool":
        tier = (ctx.pool(params.get("UserPoolId")) or {}).get("UserPoolTier")
    if tier is None and op == "CreateUserPool":
        tier = "ESSENTIALS"
    if tier is not None and tier != "PLUS":
        return Refusal(400, "InvalidParameterException",
                       f"AdvancedSecurityMode {mode} needs the Plus tier; the user pool's tier is {tier}. "
                       "To activate this setting, your user pool must be on the Plus tier.")
    return None
