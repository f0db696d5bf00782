"""AdminLinkProviderForUser for the test proxy (aws_proxy.py --links): moto does not implement it.

Links are kept in memory per pool and username. AdminGetUser, ListUsers and ListUsersInGroup answers
for a pool then carry each linked user's `identities` attribute, in Cognito's form (a JSON string):
  [{"userId":"...","providerName":"Okta","providerType":"OIDC","issuer":null,"primary":false,"dateCreated":1764850000000}]
so an export of the pool shows its links. AdminDeleteUser and DeleteUserPool forget them.

What the answers rest on (TESTING.md, "Linked identities", says the same):
  sourced (API reference, AdminLinkProviderForUser):
    - DestinationUser is an existing user of the pool, ProviderName "Cognito", ProviderAttributeValue its
      username; "If the user doesn't exist, Amazon Cognito generates an exception": UserNotFoundException
      (the operation's error list);
    - SourceUser is an identity of an external IdP of the pool, never a native user (ProviderName "Cognito");
    - a pool that does not exist: ResourceNotFoundException (the operation's error list);
    - "All attributes in the DestinationUser profile must be mutable": a user holding an immutable custom
      attribute is refused;
    - at most five identities linked to one user (LimitExceededException, in the error list);
  assumptions (codes or messages the reference does not tie to the case):
    - a provider the pool lacks: InvalidParameterException;
    - DestinationUser.ProviderName other than "Cognito", SourceUser.ProviderName "Cognito", or an immutable
      custom attribute: InvalidParameterException;
    - an identity already linked to another user of the pool: AliasExistsException;
    - the same link made again: success, nothing changes.
"""
import json
import threading
import time

import boto3


class ProviderLinks:
    def __init__(self, upstream, admin_key):
        self.upstream = upstream
        self.key_id, self.secret = admin_key.split(":", 1)
        self.lock = threading.Lock()
        self.links = {}  # (pool, username) -> [identity]
        self.owners = {}  # (pool, provider, userId) -> username

    def client(self, pool_id):
        return boto3.client("cognito-idp", endpoint_url=self.upstream, region_name=pool_id.split("_", 1)[0],
                            aws_access_key_id=self.key_id, aws_secret_access_key=self.secret)

    @staticmethod
    def error(code, message):
        return 400, {"__type": code, "message": message}

    def link(self, body):
        """(status, answer) for an AdminLinkProviderForUser request body."""
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return self.error("SerializationException", "the request body is not JSON")
        pool = req.get("UserPoolId")
        dest = req.get("DestinationUser") or {}
        src = req.get("SourceUser") or {}
        for name, value in (("UserPoolId", pool), ("DestinationUser.ProviderName", dest.get("ProviderName")),
                            ("DestinationUser.ProviderAttributeValue", dest.get("ProviderAttributeValue")),
                            ("SourceUser.ProviderName", src.get("ProviderName")),
                            ("SourceUser.ProviderAttributeName", src.get("ProviderAttributeName")),
                            ("SourceUser.ProviderAttributeValue", src.get("ProviderAttributeValue"))):
            if not value:
                return self.error("InvalidParameterException", f"1 validation error detected: {name} must not be null")
        if dest["ProviderName"] != "Cognito":
            return self.error("InvalidParameterException", "DestinationUser: ProviderName must be Cognito for a user of the pool")
        if src["ProviderName"] == "Cognito":
            return self.error("InvalidParameterException", "SourceUser: must be a federated identity, not a user of the pool")
        c = self.client(pool)
        try:
            described = c.describe_user_pool(UserPoolId=pool)["UserPool"]
        except c.exceptions.ResourceNotFoundException:
            return self.error("ResourceNotFoundException", f"User pool {pool} does not exist.")
        try:
            provider = c.describe_identity_provider(UserPoolId=pool, ProviderName=src["ProviderName"])["IdentityProvider"]
        except c.exceptions.ResourceNotFoundException:
            return self.error("InvalidParameterException", f"SourceUser: identity provider {src['ProviderName']} does not exist in {pool}")
        try:
            user = c.admin_get_user(UserPoolId=pool, Username=dest["ProviderAttributeValue"])
        except c.exceptions.UserNotFoundException:
            return self.error("UserNotFoundException", "User does not exist.")
        username = user["Username"]
        immutable = {a["Name"] for a in described.get("SchemaAttributes", [])
                     if a["Name"].startswith("custom:") and a.get("Mutable") is False}
        held = immutable & {a["Name"] for a in user.get("UserAttributes", [])}
        if held:
            return self.error("InvalidParameterException",
                              f"DestinationUser: every attribute of the user must be mutable; {', '.join(sorted(held))} is not")
        key = (pool, src["ProviderName"], src["ProviderAttributeValue"])
        with self.lock:
            owner = self.owners.get(key)
            if owner is not None and owner != username:
                return self.error("AliasExistsException", "SourceUser: this identity is already linked to another user")
            if owner == username:
                return 200, {}
            mine = self.links.setdefault((pool, username), [])
            if len(mine) >= 5:
                return self.error("LimitExceededException", "a user can be linked to at most 5 identities")
            mine.append({"userId": src["ProviderAttributeValue"], "providerName": src["ProviderName"],
                         "providerType": provider.get("ProviderType"), "issuer": None, "primary": False,
                         "dateCreated": int(time.time() * 1000)})
            self.owners[key] = username
        return 200, {}

    def identities(self, pool, username):
        with self.lock:
            mine = self.links.get((pool, username))
            return json.dumps(mine, separators=(",", ":")) if mine else None

    def decorate(self, op, body, data):
        """An upstream answer of op with the identities of linked users added; data unchanged when none."""
        try:
            pool = json.loads(body or b"{}").get("UserPoolId")
        except ValueError:
            return data
        with self.lock:
            linked = any(p == pool for p, _ in self.links)
        if not pool or not linked:
            return data
        doc = json.loads(data)

        def add(user, key):
            value = self.identities(pool, user.get("Username"))
            if value is None:
                return
            attrs = [a for a in user.get(key, []) if a.get("Name") != "identities"]
            attrs.append({"Name": "identities", "Value": value})
            user[key] = attrs

        if op == "AdminGetUser":
            add(doc, "UserAttributes")
        else:
            for u in doc.get("Users", []):
                add(u, "Attributes")
        return json.dumps(doc).encode()

    def forget(self, op, body):
        """After a successful AdminDeleteUser or DeleteUserPool: its links go too."""
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return
        pool = req.get("UserPoolId")
        with self.lock:
            for (p, u) in list(self.links):
                if p == pool and (op == "DeleteUserPool" or u == req.get("Username")):
                    del self.links[(p, u)]
            for k, owner in list(self.owners.items()):
                if k[0] == pool and (op == "DeleteUserPool" or owner == req.get("Username")):
                    del self.owners[k]
