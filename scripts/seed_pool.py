#!/usr/bin/env python3
"""Create a Cognito user pool from a JSON description (fixtures/demo/pool.json).

Besides "pool", "groups", "users" and "memberships", a description may give the
pool's configuration (fixtures/demo/configured-pool.json): "clients"
(CreateUserPoolClient inputs), "providers" (CreateIdentityProvider inputs),
"links" ({"username","provider","userId"}: AdminLinkProviderForUser, which the tests'
proxy serves, moto lacking it),
"resourceServers" (CreateResourceServer inputs), "domain" (a prefix, made
unique per pool: "<prefix>-<the pool id's suffix, lowercased>"), "risk"
(SetRiskConfiguration input), "ui" (SetUICustomization input), "branding" and
"terms" (CreateManagedLoginBranding / CreateTerms inputs, the app client named
by "client"; asset Bytes in base64), "logDelivery" (LogConfigurations) and
"mfa" (SetUserPoolMfaConfig input).
"risk", "ui", "branding", "terms" and "logDelivery" go to the endpoint's aws_proxy.py,
which keeps them for moto.

Used by the demo and the integration tests against moto. Talks to the
endpoint with boto3, signed with the environment's credentials. Prints the
new pool id on stdout.

  seed_pool.py FILE [--extra-users N] [--name NAME] [--region R]
"""
import argparse
import base64
import json
import os
import sys

import boto3
import botocore.config


def synthetic_users(n):
    """N deterministic users: every 7th disabled, every 3rd CONFIRMED, punctuation and unicode mixed in."""
    marks = ["", "\u00e9", "e\u0301", "\U0001F600", "o'neil", 'q"uote', "back\\slash", "comma,s", "\u4e2d\u6587"]
    users = []
    for i in range(n):
        name = f"user{i:05d}{marks[i % len(marks)]}"
        attrs = {
            "email": f"user{i:05d}@example.com",
            "email_verified": "true" if i % 2 == 0 else "false",
            "given_name": f"Given {marks[(i + 3) % len(marks)]} {i}",
            "custom:tier": ["gold", "silver", "bronze, with comma"][i % 3],
        }
        if i % 5 == 0:
            attrs["phone_number"] = f"+1555{i:07d}"
            attrs["phone_number_verified"] = "true"
        users.append({
            "username": name,
            "attributes": attrs,
            "confirmed": i % 3 == 0,
            "enabled": i % 7 != 0,
        })
    return users


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--extra-users", type=int, default=0)
    ap.add_argument("--name")
    ap.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
    args = ap.parse_args()

    with open(args.file, encoding="utf-8") as f:
        spec = json.load(f)
    # Retries with backoff, as AWS's own quotas need: the tests' proxy caps CreateGroup at 5 per second
    # per pool (rule per-pool-operation-cap), and a spec with many groups goes faster than that.
    idp = boto3.client("cognito-idp", region_name=args.region,
                       config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 10}))

    create = dict(spec.get("pool", {}))
    if args.name:
        create["PoolName"] = args.name
    pool = idp.create_user_pool(**create)["UserPool"]["Id"]

    # Resource servers first: a client's AllowedOAuthScopes may name their scopes.
    for r in spec.get("resourceServers", []):
        idp.create_resource_server(UserPoolId=pool, **r)
    for p in spec.get("providers", []):
        idp.create_identity_provider(UserPoolId=pool, **p)
    for c in spec.get("clients", []):
        idp.create_user_pool_client(UserPoolId=pool, **c)
    if spec.get("domain"):
        idp.create_user_pool_domain(UserPoolId=pool, Domain=f"{spec['domain']}-{pool.split('_', 1)[1].lower()}")
    if spec.get("mfa"):
        idp.set_user_pool_mfa_config(UserPoolId=pool, **spec["mfa"])
    # What moto lacks and the proxy keeps (scripts/pool_extras.py): threat protection, UI customization,
    # branding and terms per app client (named by "client"), log delivery.
    client_ids = {}
    if spec.get("branding") or spec.get("terms"):
        for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool, MaxResults=60):
            client_ids.update({c["ClientName"]: c["ClientId"] for c in page["UserPoolClients"]})
    if spec.get("risk"):
        idp.set_risk_configuration(UserPoolId=pool, **spec["risk"])
    if spec.get("ui"):
        idp.set_ui_customization(UserPoolId=pool, **spec["ui"])
    for b in spec.get("branding", []):
        b = dict(b)
        b["Assets"] = [dict(a, Bytes=base64.b64decode(a["Bytes"])) for a in b.get("Assets", [])]
        idp.create_managed_login_branding(UserPoolId=pool, ClientId=client_ids[b.pop("client")], **b)
    if spec.get("logDelivery"):
        idp.set_log_delivery_configuration(UserPoolId=pool, LogConfigurations=spec["logDelivery"])
    for t in spec.get("terms", []):
        t = dict(t)
        idp.create_terms(UserPoolId=pool, ClientId=client_ids[t.pop("client")], **t)

    for g in spec.get("groups", []):
        kw = {"UserPoolId": pool, "GroupName": g["name"]}
        if "description" in g:
            kw["Description"] = g["description"]
        if "precedence" in g:
            kw["Precedence"] = g["precedence"]
        if "roleArn" in g:
            kw["RoleArn"] = g["roleArn"]
        idp.create_group(**kw)

    users = spec.get("users", []) + synthetic_users(args.extra_users)
    for u in users:
        idp.admin_create_user(
            UserPoolId=pool, Username=u["username"], MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in u.get("attributes", {}).items()])
        if u.get("confirmed"):
            idp.admin_set_user_password(UserPoolId=pool, Username=u["username"], Password="Demo-Passw0rd!", Permanent=True)
        if not u.get("enabled", True):
            idp.admin_disable_user(UserPoolId=pool, Username=u["username"])

    members = list(spec.get("memberships", []))
    for rule in spec.get("groupRules", []):
        # {"group": g, "every": k}: every k-th synthetic user joins g
        synth = synthetic_users(args.extra_users)
        members += [{"group": rule["group"], "username": s["username"]} for i, s in enumerate(synth) if i % rule["every"] == 0]
    for m in members:
        idp.admin_add_user_to_group(UserPoolId=pool, Username=m["username"], GroupName=m["group"])
    for link in spec.get("links", []):
        idp.admin_link_provider_for_user(
            UserPoolId=pool, DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": link["username"]},
            SourceUser={"ProviderName": link["provider"], "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": link["userId"]})

    print(pool)


if __name__ == "__main__":
    sys.exit(main())
