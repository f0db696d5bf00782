"""App client secrets as Cognito keeps them (issue 21): a custom ClientSecret is the client's secret,
generated secrets look like Cognito's, and SECRET_HASH is checked against the client's secret.

moto ignores CreateUserPoolClient's ClientSecret (its describe answer then shows the given value, but
its auth checks a uuid4 of its own), and makes uuid4 secrets with hyphens, which ClientSecret's own
pattern ([\\w+]+) refuses, so a captured moto secret could never be set again. The proxy keeps a
secret per client (ClientSecrets below): a CreateUserPoolClient with ClientSecret reaches moto as
GenerateSecret, and answers, DescribeUserPoolClient answers and AdminInitiateAuth/InitiateAuth's
SECRET_HASH are translated between the client's secret and moto's. check() refuses what the API
reference refuses: ClientSecret together with GenerateSecret true.
"""
import base64
import hashlib
import hmac
import json
import secrets as random_secrets
import string
import threading

from rules import Refusal

NAME = "client-secrets"
SOURCE = ("CognitoIdentityProvider API reference, CreateUserPoolClient: ClientSecret \"A custom client secret that you "
          "want to use for the app client. You cannot specify both GenerateSecret as true and provide a ClientSecret "
          "value.\" (Length 24-64, pattern [\\w+]+); Developer Guide, Computing secret hash values: SECRET_HASH is "
          "Base64(HMAC_SHA256(client secret, username + client id)). The shape of a generated secret (51 lowercase "
          "letters and digits) is an assumption from secrets seen in the console, not a documented format.")


def check(op, params, ctx):
    if op == "CreateUserPoolClient" and params.get("ClientSecret") is not None and params.get("GenerateSecret") is True:
        return Refusal(400, "InvalidParameterException",
                       "You cannot specify both GenerateSecret as true and provide a ClientSecret value. [rule client-secrets]")
    return None


def secret_hash(secret, username, client_id):
    mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


class ClientSecrets:
    """Per client id: (the client's secret as Cognito would keep it, moto's own)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_client = {}

    def request(self, op, body):
        """The body moto gets, and what to remember for the answer (or None)."""
        if op not in ("CreateUserPoolClient", "AdminInitiateAuth", "InitiateAuth"):
            return body, None
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            return body, None
        if op == "CreateUserPoolClient":
            wanted = doc.pop("ClientSecret", None)
            if wanted is None and not doc.get("GenerateSecret"):
                return body, None
            doc["GenerateSecret"] = True
            if wanted is None:
                alphabet = string.ascii_lowercase + string.digits
                wanted = "".join(random_secrets.choice(alphabet) for _ in range(51))
            return json.dumps(doc).encode(), wanted
        params = doc.get("AuthParameters") or {}
        with self.lock:
            known = self.by_client.get(doc.get("ClientId"))
        if not known or "SECRET_HASH" not in params:
            return body, None
        ours, motos = known
        username = params.get("USERNAME", "")
        if not hmac.compare_digest(params["SECRET_HASH"], secret_hash(ours, username, doc["ClientId"])):
            return None, f"Unable to verify secret hash for client {doc['ClientId']}"
        params["SECRET_HASH"] = secret_hash(motos, username, doc["ClientId"])
        doc["AuthParameters"] = params
        return json.dumps(doc).encode(), None

    def answer(self, op, data, wanted):
        """moto's answer with the client's own secret in place of moto's."""
        if op not in ("CreateUserPoolClient", "DescribeUserPoolClient"):
            return data
        doc = json.loads(data)
        client = doc.get("UserPoolClient") or {}
        cid = client.get("ClientId")
        with self.lock:
            if op == "CreateUserPoolClient" and wanted is not None and client.get("ClientSecret"):
                self.by_client[cid] = (wanted, client["ClientSecret"])
            known = self.by_client.get(cid)
        if known and client.get("ClientSecret"):
            client["ClientSecret"] = known[0]
            return json.dumps(doc).encode()
        return data
