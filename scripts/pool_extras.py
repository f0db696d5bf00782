"""The parts of a user pool moto does not serve, kept in memory as the API reference describes them
(issue 21): threat protection (Set/DescribeRiskConfiguration), hosted UI customization
(Set/GetUICustomization), managed login branding (Create/DescribeManagedLoginBrandingByClient),
log delivery (Set/GetLogDeliveryConfiguration) and terms (CreateTerms, ListTerms, DescribeTerms).

aws_proxy.py answers these operations from here for every caller (moto has no handler for them), and
cognito_sim.py answers its simulated pool's (which has none of them). What a pool without one of them
answers is an assumption where the API reference does not say (TESTING.md, "What the proxy serves"):
DescribeRiskConfiguration and GetUICustomization answer an object holding only the UserPoolId,
GetLogDeliveryConfiguration an empty LogConfigurations, ListTerms an empty list, and
DescribeManagedLoginBrandingByClient ResourceNotFoundException.

  extras = PoolExtras()
  extras.answer(op, request_dict) -> (status, body_dict) or None when op is not one of these
"""
import threading
import time
import uuid

OPERATIONS = {
    "SetRiskConfiguration", "DescribeRiskConfiguration", "SetUICustomization", "GetUICustomization",
    "CreateManagedLoginBranding", "DescribeManagedLoginBrandingByClient", "SetLogDeliveryConfiguration",
    "GetLogDeliveryConfiguration", "CreateTerms", "ListTerms", "DescribeTerms",
}


class Refused(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class PoolExtras:
    def __init__(self, pool_exists=None):
        """pool_exists(pool_id) -> bool; None: every pool id exists."""
        self.lock = threading.Lock()
        self.pools = {}
        self.pool_exists = pool_exists or (lambda _id: True)

    def answer(self, op, req):
        if op not in OPERATIONS:
            return None
        try:
            pool_id = req.get("UserPoolId")
            if not pool_id or not self.pool_exists(pool_id):
                raise Refused("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
            with self.lock:
                state = self.pools.setdefault(pool_id, {"risk": {}, "ui": {}, "branding": {}, "log": [], "terms": {}})
                return 200, getattr(self, op)(pool_id, state, req)
        except Refused as e:
            return e.status, {"__type": e.code, "message": e.message}

    @staticmethod
    def now():
        return round(time.time(), 3)

    # Threat protection, per pool ("ALL") or per app client.
    def SetRiskConfiguration(self, pool_id, state, req):
        key = req.get("ClientId") or "ALL"
        config = {"UserPoolId": pool_id, "LastModifiedDate": self.now()}
        if req.get("ClientId"):
            config["ClientId"] = req["ClientId"]
        for k in ("CompromisedCredentialsRiskConfiguration", "AccountTakeoverRiskConfiguration", "RiskExceptionConfiguration"):
            if k in req:
                config[k] = req[k]
        state["risk"][key] = config
        return {"RiskConfiguration": config}

    def DescribeRiskConfiguration(self, pool_id, state, req):
        key = req.get("ClientId") or "ALL"
        return {"RiskConfiguration": state["risk"].get(key) or {"UserPoolId": pool_id}}

    # Classic hosted UI: CSS and a logo, per pool ("ALL") or per app client.
    def SetUICustomization(self, pool_id, state, req):
        key = req.get("ClientId") or "ALL"
        found = state["ui"].get(key) or {"UserPoolId": pool_id, "ClientId": key, "CreationDate": self.now()}
        found["CSS"] = req.get("CSS", found.get("CSS"))
        found["CSSVersion"] = str(uuid.uuid4())
        found["LastModifiedDate"] = self.now()
        if req.get("ImageFile"):
            found["ImageUrl"] = f"https://example.cloudfront.net/{pool_id}/{key}/logo.png"
        state["ui"][key] = found
        return {"UICustomization": found}

    def GetUICustomization(self, pool_id, state, req):
        key = req.get("ClientId") or "ALL"
        return {"UICustomization": state["ui"].get(key) or state["ui"].get("ALL") or {"UserPoolId": pool_id}}

    # Managed login branding: one style per app client.
    def CreateManagedLoginBranding(self, pool_id, state, req):
        client = req.get("ClientId")
        if client in state["branding"]:
            raise Refused("ManagedLoginBrandingExistsException", f"A branding style exists for app client {client}.")
        style = {"ManagedLoginBrandingId": str(uuid.uuid4()), "UserPoolId": pool_id,
                 "UseCognitoProvidedValues": bool(req.get("UseCognitoProvidedValues", False)),
                 "Settings": req.get("Settings") or {}, "Assets": req.get("Assets") or [],
                 "CreationDate": self.now(), "LastModifiedDate": self.now()}
        state["branding"][client] = style
        return {"ManagedLoginBranding": style}

    def DescribeManagedLoginBrandingByClient(self, pool_id, state, req):
        style = state["branding"].get(req.get("ClientId"))
        if not style:
            raise Refused("ResourceNotFoundException", f"No managed login branding for app client {req.get('ClientId')}.")
        return {"ManagedLoginBranding": style}

    # Log delivery: the pool's log configurations.
    def SetLogDeliveryConfiguration(self, pool_id, state, req):
        state["log"] = req.get("LogConfigurations") or []
        return {"LogDeliveryConfiguration": {"UserPoolId": pool_id, "LogConfigurations": state["log"]}}

    def GetLogDeliveryConfiguration(self, pool_id, state, req):
        return {"LogDeliveryConfiguration": {"UserPoolId": pool_id, "LogConfigurations": state["log"]}}

    # Terms of use and privacy policy documents, per app client.
    def CreateTerms(self, pool_id, state, req):
        if any(t["TermsName"] == req.get("TermsName") and t.get("ClientId") == req.get("ClientId") for t in state["terms"].values()):
            raise Refused("TermsExistsException", f"Terms {req.get('TermsName')} exist for this app client.")
        terms = {"TermsId": str(uuid.uuid4()), "UserPoolId": pool_id, "ClientId": req.get("ClientId"),
                 "TermsName": req.get("TermsName"), "TermsSource": req.get("TermsSource"),
                 "Enforcement": req.get("Enforcement"), "Links": req.get("Links") or {},
                 "CreationDate": self.now(), "LastModifiedDate": self.now()}
        state["terms"][terms["TermsId"]] = terms
        return {"Terms": terms}

    def ListTerms(self, pool_id, state, req):
        listed = [{k: t[k] for k in ("TermsId", "TermsName", "Enforcement", "CreationDate", "LastModifiedDate")}
                  for t in sorted(state["terms"].values(), key=lambda t: t["TermsId"])]
        return {"Terms": listed}

    def DescribeTerms(self, pool_id, state, req):
        terms = state["terms"].get(req.get("TermsId"))
        if not terms:
            raise Refused("ResourceNotFoundException", f"Terms {req.get('TermsId')} do not exist.")
        return {"Terms": terms}
