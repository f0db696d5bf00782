#!/usr/bin/env python3
"""A Cognito user pool simulator for scale tests. Test support, like moto;
not part of snap.

    python3 scripts/cognito_sim.py --users 1000000 --time-scale 20 \
        [--rtt-ms 150] [--token-life 3600] [--neighbour 0.5] [--storm AFTER:FOR] \
        [--access-key AKIDSIMULATOR --secret-key simulator-secret] [--port 0]

    python3 scripts/cognito_sim.py --fleet FLEET.json [--time-scale K] [--rtt-ms MS] [--no-quota] [--port 0]
        (fleet mode: many pools of several accounts and regions on one endpoint; see "Fleet mode" below)

It speaks the AWS JSON 1.1 subset snap uses (ListUserPools, DescribeUserPool, ListUsers with
Limit, PaginationToken and Filter `sub ^= "x"`, ListGroups, ListUsersInGroup,
AdminGetUser; for restore: AdminCreateUser, AdminSetUserPassword,
AdminDisableUser, AdminAddUserToGroup, AdminSetUserMFAPreference, CreateGroup, GetCSVHeader,
CreateUserImportJob, StartUserImportJob, DescribeUserImportJob, ListUserImportJobs) and requires
a SigV4 signature made with --access-key/--secret-key; a bad one gets
Cognito's answer (HTTP 400 InvalidSignatureException, or
UnrecognizedClientException for an unknown key).

The pool holds --users deterministic synthetic users, computed from their
index and never stored, so any page costs O(page) whatever the pool size:
user i has low part v = i % 4096 and high part q = i // 4096, and its sub
starts with the 3 hex digits of v and the 5 of q. Listing in sub order is
then plain arithmetic, with or without a `sub ^=` prefix (1 to 8 hex
digits). About 1 user in 7 is in one of --groups groups; there are disabled,
unconfirmed, password-reset and federated users, Unicode names and custom
attributes. Users and groups created by the restore calls live in memory on
top of the synthetic pool (AdminGetUser and the listings see them).

Time: --time-scale K multiplies every quota by K and divides the token life,
the round trip and the storm times by K, so a night runs in minutes.

MFA (--mfa): AdminGetUser reports UserMFASettingList and PreferredMfaSetting
(never ListUsers, as Cognito): user i (not federated) has SMS_MFA when
i % 21 == 0 (they have a phone number), SOFTWARE_TOKEN_MFA when
i % 13 == 6, EMAIL_OTP when i % 17 == 9; the preferred one is SMS, else
email, else the software token. Without --mfa synthetic users have none.
AdminSetUserMFAPreference sets SMS and email preferences of any user (SMS
needs phone_number, email needs email, else InvalidParameterException);
enabling a software token is refused, as for a user who never verified one.
  * Pages hold at most Limit (60) items, and (rule short-pages) a seeded
    share of the pages that are not the last hold fewer. A pagination token
    carries the time its scan began; once that is older than --token-life
    (or among the first --refuse-tokens), the request gets HTTP 400
    InvalidParameterException, "Paging marker … is invalid for request …"
    (rule paging-marker-invalid).
  * Import jobs, as the guide states them (one rule module each): the upload
    URL lives 15 minutes (/ K); one job active at a time (--foreign-job runs
    someone else's); a job ends Failed past a failure share, or as
    --import-end forces; values trimmed; rows at most 16,000 characters;
    cognito:mfa_enabled true when --mfa-configuration ON.
  * One token bucket per quota category for the account (SPEC table; one
    second of burst); beyond it HTTP 400 TooManyRequestsException.
  * --neighbour F: another client spends F of the UserList budget.
  * --storm AFTER:FOR: from AFTER seconds after the first UserList request, for FOR
    seconds, every UserList request is throttled (a throttling storm).
  * --rtt-ms: the round trip every request waits.

GET /__sim/stats: per-operation requests, throttled and refused counts,
UserList requests per second,
per-category counts, the neighbour's spend, and first/last request times;
POST /__sim/reset clears them. Prints {"endpoint", "accessKeyId",
"secretAccessKey", "userPoolId"} as its first stdout line and exits when its
parent does.

Fleet mode (--fleet FLEET.json):

    {"accounts": [{"id": "111111111111", "accessKey": "AKIDFLEETA0000000001", "secretKey": "fleet-a-secret",
                   "roles": ["arn:aws:iam::111111111111:role/snap-backup"]}, ...],
     "pools": [{"id": "us-east-1_FleetA01", "account": "111111111111", "users": 20000, "groups": 5,
                "mfa": false, "denied": false, "name": "simulated-pool", "hostile": false, "padded": false,
                "mfaConfiguration": "OFF"}, ...]}

  (a pool's keys after "account" are optional; users, groups, mfa, hostile, padded and mfaConfiguration
  default to --users, --groups, --mfa, --hostile, --padded, --mfa-configuration). Each pool is served by
  its own Simulator, exactly as the single-pool mode serves its pool (same users for the same counts, the
  restore calls, import jobs, pagination tokens, rules), but:
  * The caller is the SigV4 Credential's access key id: an account's key, or temporary credentials from
    AssumeRole (then X-Amz-Security-Token must be their session token, else UnrecognizedClientException;
    past their Expiration, ExpiredTokenException). The region is the credential scope's.
  * Budgets: one set of token buckets (one per quota category, x K, one second of burst) per account and
    region, shared by all that account's pools in that region. Assumption: quotas are per account per
    region, as Cognito's quotas page says; the SPEC table's rates are used.
  * A pool of another account or region (or none) is ResourceNotFoundException "User pool POOL does not
    exist.", as Cognito answers; neither those nor "denied" requests spend the budget.
  * "denied": true: every Cognito request naming the pool is HTTP 400 AccessDeniedException "User: CALLER-ARN
    is not authorized to perform: cognito-idp:OP on resource: arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL
    because no identity-based policy allows the cognito-idp:OP action" (wording of AWS's IAM troubleshooting
    docs; CALLER-ARN is arn:aws:iam::ACCOUNT:user/snap for an account's own key).
  * ListUserPools (MaxResults 1..60 required, NextToken): the caller's account and region's pools, by id;
    category UserPoolRead. (The single-pool mode answers it too, with its one pool.)
  * STS on the same endpoint: a form-encoded POST without X-Amz-Target (Action=GetCallerIdentity or
    AssumeRole, Version=2011-06-15, signed for sts) answers STS's XML. GetCallerIdentity: Arn
    arn:aws:iam::ACCOUNT:user/snap, or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION for assumed-role
    credentials. AssumeRole(RoleArn, RoleSessionName, DurationSeconds 900..43200, default 3600): any role
    listed under an account's "roles" (assumption: any caller may assume any listed role; no trust policies,
    no ExternalId check), credentials ASIA... that act as the role's account, expiring DurationSeconds ahead
    in real time (not / K); an unlisted role: HTTP 403 AccessDenied (ErrorResponse/Error/Type Sender). STS
    requests are not throttled.
  * GET /__sim/stats: {"timeScale", "lanes": {"ACCOUNT/REGION": {"categories", "operations",
    "userListPerSecond", "first", "last"}}, "pools": {"POOL": {"operations", "account", "region", "denied"}}};
    POST /__sim/reset clears them. The first stdout line: {"endpoint", "accounts": [{"id", "accessKeyId",
    "secretAccessKey"}], "pools": [ids]}.
  * Per pool, not per lane: --storm's window (from the pool's first UserList request), --refuse-tokens,
    --foreign-job and the one-active-import-job rule. --neighbour spends each lane's UserList budget.
  * Speed (measured 2026-12, 2-core machine under another build's load, client and simulator on it):
    about 620-670 ListUsers requests per second (Limit 60, 8 client threads over 3 lanes, --no-quota;
    1.3 ms of simulator CPU each); `python3 scripts/test_fleet_sim.py --bench` measures it.
    scripts/test_fleet_sim.py is the fleet mode's self-test.
"""
import argparse
import base64
import bisect
import csv
import hashlib
import hmac
import io
import json
import os
import random
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_check  # noqa: E402  (beside this script)
import rules  # noqa: E402  (the documented rules, scripts/rules/)
from rules import import_job_ends, import_url_expiry, paging_marker_invalid  # noqa: E402

QUOTAS = {
    "UserList": (30, ["ListUsers", "ListUsersInGroup"]),
    "UserCreation": (50, ["AdminCreateUser"]),
    "UserUpdate": (25, ["AdminDisableUser", "AdminUpdateUserAttributes", "AdminEnableUser", "AdminSetUserMFAPreference"]),
    "UserAccountRecovery": (30, ["AdminSetUserPassword"]),
    "UserResourceUpdate": (25, ["AdminAddUserToGroup"]),
    "UserRead": (120, ["AdminGetUser"]),
    "UserPoolRead": (15, ["DescribeUserPool", "GetUserPoolMfaConfig", "ListUserPools"]),
    "UserPoolResourceRead": (20, ["ListGroups", "GetCSVHeader", "GetGroup", "ListIdentityProviders", "DescribeIdentityProvider",
                                  "ListResourceServers", "DescribeUserPoolDomain", "DescribeRiskConfiguration",
                                  "GetUICustomization", "DescribeManagedLoginBrandingByClient", "GetLogDeliveryConfiguration",
                                  "ListTerms", "DescribeTerms"]),
    "UserPoolClientRead": (15, ["ListUserPoolClients", "DescribeUserPoolClient"]),
    "UserPoolResourceUpdate": (15, ["CreateGroup", "CreateUserImportJob"]),
}
CATEGORY = {op: cat for cat, (_, ops) in QUOTAS.items() for op in ops}
SPACE = 4096  # low parts: the first 3 hex digits of sub
PAGE = 60
EPOCH = 1_600_000_000
FIRST = ["Zoë", "José", "Łukasz", "Søren", "Ægir", "Chloé", "Jürgen", "Ana", "Mei", "Олег", "Αθηνά", "李", "さくら",
         "محمد", "Noa", "Siobhán", "Nguyễn", "Çağrı", "Ólafur", "Priya"]
LAST = ["Müller", "García", "Kowalski", "Ødegård", "Dubois", "Smith", "王", "Иванов", "Παπαδόπουλος", "Nakamura",
        "O'Brien", "Nuñez", "Şahin", "Björk", "Levi", "Patel", "Ng", "Ångström", "Tran", "Rossi"]
TIERS = ["free", "pro", "enterprise", "trial"]


class Pool:
    """The synthetic users: everything is a function of the index."""

    def __init__(self, n, groups, pool_id, hostile=False, mfa=False):
        self.hostile = hostile
        self.padded = False
        self.mfa_configuration = "OFF"
        self.with_mfa = mfa
        self.n = n
        self.g = max(0, groups)
        self.pool_id = pool_id
        self.name = "simulated-pool"
        self.q, self.r = divmod(n, SPACE)

    # --- index <-> order -------------------------------------------------
    def count(self, v):
        return self.q + (1 if v < self.r else 0)

    def before(self, v):
        """Users whose low part is below v."""
        return v * self.q + min(v, self.r)

    def at(self, p):
        """The index of the user at position p of the whole pool in sub order."""
        big = self.r * (self.q + 1)
        if p < big:
            v, q = divmod(p, self.q + 1)
        else:
            v, q = divmod(p - big, self.q)
            v += self.r
        return q * SPACE + v

    def scan(self, prefix):
        """(index at position, length) of the users whose sub starts with prefix."""
        prefix = prefix.lower()
        if any(c not in "0123456789abcdef" for c in prefix) or len(prefix) > 8:
            return (lambda p: None), 0
        if len(prefix) <= 3:
            shift = 4 * (3 - len(prefix))
            lo = (int(prefix, 16) << shift) if prefix else 0
            hi = ((int(prefix, 16) + 1) << shift) if prefix else SPACE
            start, end = self.before(lo), self.before(hi)
            return (lambda p: self.at(start + p)), end - start
        v = int(prefix[:3], 16)
        shift = 4 * (8 - len(prefix))
        qlo, qhi = int(prefix[3:], 16) << shift, (int(prefix[3:], 16) + 1) << shift
        qhi = min(qhi, self.count(v))
        return (lambda p: (qlo + p) * SPACE + v), max(0, qhi - qlo)

    # --- one user -------------------------------------------------------
    @staticmethod
    def hash(i):
        return hashlib.blake2b(i.to_bytes(8, "little"), digest_size=12).hexdigest()

    def sub(self, i):
        v, q = i % SPACE, i // SPACE
        h = self.hash(i)
        return f"{v:03x}{q:05x}-{h[0:4]}-4{h[4:7]}-a{h[7:10]}-{h[10:22]}0"[:36]

    def username(self, i):
        return f"Google_{100000000000 + i}" if i % 25 == 2 else f"user-{i:08d}"

    def index_of(self, username):
        try:
            if username.startswith("Google_"):
                i = int(username[7:]) - 100000000000
                return i if 0 <= i < self.n and i % 25 == 2 else None
            if username.startswith("user-") and len(username) == 13:
                i = int(username[5:])
                return i if 0 <= i < self.n and i % 25 != 2 else None
        except ValueError:
            pass
        return None

    def group_of(self, i):
        return (i // 7) % self.g if self.g and i % 7 == 3 else None

    def group_name(self, g):
        return f"équipe-{g:02d}" if g % 5 == 4 else f"group-{g:02d}"

    def group_index(self, name):
        for g in range(self.g):
            if self.group_name(g) == name:
                return g
        return None

    def members(self, g):
        """(index at position, length) of group g's members, by index."""
        x = self.n - 3 - 7 * g
        length = 0 if x <= 0 else (x + 7 * self.g - 1) // (7 * self.g)
        return (lambda m: 7 * (g + self.g * m) + 3), length

    def user(self, i, attributes_key="Attributes"):
        first, last = FIRST[i % 20], LAST[(i // 20) % 20]
        created = EPOCH + i * 7 % 100_000_000
        attrs = [
            {"Name": "sub", "Value": self.sub(i)},
            {"Name": "name", "Value": f"{first} {last}"},
            {"Name": "given_name", "Value": first},
            {"Name": "family_name", "Value": last},
            {"Name": "custom:tier", "Value": TIERS[i % 4]},
        ]
        status = "CONFIRMED"
        if i % 25 == 2:
            status = "EXTERNAL_PROVIDER"
            attrs.append({"Name": "identities", "Value": json.dumps(
                [{"userId": str(100000000000 + i), "providerName": "Google", "providerType": "Google",
                  "issuer": None, "primary": True, "dateCreated": created * 1000}], separators=(",", ":"))})
        else:
            attrs.append({"Name": "email", "Value": f"{first.lower()}.{i}@example.com"})
            attrs.append({"Name": "email_verified", "Value": "false" if i % 20 == 1 else "true"})
            if i % 20 == 1:
                status = "UNCONFIRMED"
            elif i % 33 == 5:
                status = "FORCE_CHANGE_PASSWORD"
            elif i % 97 == 11:
                status = "RESET_REQUIRED"
        if i % 3 == 0:
            attrs.append({"Name": "phone_number", "Value": f"+4470{i % 100_000_000:08d}"})
        if self.hostile and i % 25 != 2:  # values a CSV mangles: commas, quotes, line breaks, formulas, Unicode
            hostile = ["Smith, Jr.", '=HYPERLINK("http://x","y")', "a,b\\,c", 'say "hi"', "two\nlines", "=1+2,3",
                       "Zoë 李 محمد 🚀", "+cmd|' /C calc'!A0", "-@,=", "back\\slash"][i % 10]
            attrs.append({"Name": "nickname", "Value": hostile})
        if i % 11 == 4:
            attrs.append({"Name": "custom:employee_id", "Value": f"E{i:09d}"})
        if self.padded and i % 25 != 2 and i % 13 == 5:  # --padded: a value with surrounding white space
            attrs.append({"Name": "middle_name", "Value": f"  M{i} "})
        return {"Username": self.username(i), attributes_key: attrs, "UserCreateDate": created,
                "UserLastModifiedDate": created + i % 86_400, "Enabled": i % 50 != 7, "UserStatus": status}

    def mfa(self, i):
        """(enabled methods, preferred) of synthetic user i; ([], "") without --mfa."""
        if not self.with_mfa or i % 25 == 2:
            return [], ""
        enabled = []
        if i % 21 == 0:
            enabled.append("SMS_MFA")
        if i % 17 == 9:
            enabled.append("EMAIL_OTP")
        if i % 13 == 6:
            enabled.append("SOFTWARE_TOKEN_MFA")
        return enabled, (enabled[0] if enabled else "")

    def group(self, g):
        return {"GroupName": self.group_name(g), "UserPoolId": self.pool_id, "Description": f"Synthetic group {g}",
                "Precedence": g, "LastModifiedDate": EPOCH + g, "CreationDate": EPOCH + g}

    def describe(self, extra_users):
        return {"Id": self.pool_id, "Name": self.name, "Status": "Enabled",
                "EstimatedNumberOfUsers": self.n + extra_users, "MfaConfiguration": self.mfa_configuration,
                "UsernameConfiguration": {"CaseSensitive": False}, "AutoVerifiedAttributes": ["email"],
                "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                                "RequireNumbers": True, "RequireSymbols": False,
                                                "TemporaryPasswordValidityDays": 7}},
                "SchemaAttributes": [
                    {"Name": "sub", "AttributeDataType": "String", "Mutable": False, "Required": True},
                    {"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": False},
                    {"Name": "custom:tier", "AttributeDataType": "String", "Mutable": True, "Required": False,
                     "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "16"}},
                    {"Name": "custom:employee_id", "AttributeDataType": "String", "Mutable": True, "Required": False,
                     "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "32"}}],
                "CreationDate": EPOCH, "LastModifiedDate": EPOCH}


class Bucket:
    def __init__(self, rate):
        self.rate = rate
        self.tokens = rate
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def take(self, n=1.0, debt=False):
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= n:
                self.tokens -= n
                return True
            if debt:  # the neighbour retries until served: it takes what is there and owes the rest
                self.tokens -= n
            return False


class ServiceError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class Simulator:
    def __init__(self, args):
        self.args = args
        k = args.time_scale
        self.pool = Pool(args.users, args.groups, args.pool_id, args.hostile, args.mfa)
        self.pool.padded = args.padded
        self.pool.mfa_configuration = args.mfa_configuration
        self.region = args.pool_id.split("_")[0]
        self.token_life = args.token_life / k
        self.rtt = args.rtt_ms / 1000.0 / k
        self.buckets = {c: Bucket(rps * k) for c, (rps, _) in QUOTAS.items()}
        self.storm = None
        if args.storm:
            after, length = (float(x) / k for x in args.storm.split(":"))
            self.storm = (after, after + length)
        self.lock = threading.Lock()
        self.stats_lock = threading.Lock()
        self.reset_stats()
        self.started = None
        self.secret = os.urandom(16)
        # State added by the restore calls, on top of the synthetic pool.
        self.users = {}  # username -> user (ListUsers shape, plus "_groups")
        self.groups = {}  # name -> group
        self.members = {}  # group -> set of usernames added
        self.jobs = {}
        self.foreign = None  # (job, monotonic end) of --foreign-job
        self.refuse_tokens = args.refuse_tokens
        self.refuse_uploads = args.refuse_uploads
        self.forced_end = args.import_end  # "STATUS[:ROWS]" for the next job started, then None
        self.created = 0  # users created so far (the overlay listing's cache key)
        self.overlay_cache = None

    def reset_stats(self):
        with self.stats_lock:
            self.ops = {}
            self.cats = {}
            self.neighbour_spent = 0
            self.short_pages = 0
            self.first = self.last = None
            self.timeline = {}

    def count(self, op, what):
        with self.stats_lock:
            o = self.ops.setdefault(op, {"count": 0, "throttled": 0, "refused": 0, "errors": 0, "modelViolations": 0})
            o[what] = o.get(what, 0) + 1  # ruleRefusals and internalErrors appear when they happen
            if what == "count":
                now = time.time()
                self.first = self.first or now
                self.last = now
                cat = CATEGORY.get(op)
                if cat:
                    self.cats[cat] = self.cats.get(cat, 0) + 1
                if cat == "UserList":  # UserList requests per second since the first request, for benchmarks
                    second = int(now - self.first)
                    self.timeline[second] = self.timeline.get(second, 0) + 1

    def stats(self):
        with self.stats_lock:
            return {"operations": self.ops, "categories": self.cats, "neighbour": self.neighbour_spent,
                    "first": self.first, "last": self.last, "users": self.pool.n, "timeScale": self.args.time_scale,
                    "shortPages": self.short_pages,
                    "userListPerSecond": [self.timeline.get(i, 0) for i in range(max(self.timeline, default=-1) + 1)]}

    def neighbour(self):
        """Spends its share of UserList by the elapsed time (a late wake-up spends more, not less)."""
        share, bucket = self.args.neighbour, self.buckets["UserList"]
        last = time.monotonic()
        while True:
            time.sleep(0.01)
            now = time.monotonic()
            n = share * bucket.rate * (now - last)
            last = now
            bucket.take(n, debt=True)
            with self.stats_lock:
                self.neighbour_spent += n

    # --- tokens ----------------------------------------------------------
    def token(self, scan, position, began):
        body = json.dumps([scan, position, began], separators=(",", ":")).encode()
        mac = hmac.new(self.secret, body, hashlib.sha256).digest()[:8]
        return base64.urlsafe_b64encode(mac + body).decode()

    def read_token(self, token, scan):
        with self.lock:
            refuse = self.refuse_tokens > 0
            self.refuse_tokens -= 1 if refuse else 0
        if refuse:  # --refuse-tokens: a token refused early, as Cognito may (when is not documented)
            raise self.token_refusal(token, "The pagination token was refused.")
        try:
            raw = base64.urlsafe_b64decode(token.encode())
            mac, body = raw[:8], raw[8:]
            if not hmac.compare_digest(mac, hmac.new(self.secret, body, hashlib.sha256).digest()[:8]):
                raise ValueError
            s, position, began = json.loads(body)
        except Exception:
            raise self.token_refusal(token, "Invalid pagination token.")
        if s != scan:
            raise self.token_refusal(token, "The pagination token does not belong to this request.")
        if time.time() - began > self.token_life:
            raise self.token_refusal(token, "The pagination token has expired.")
        return position, began

    @staticmethod
    def token_refusal(token, own_words):
        """Cognito's words for a refused token (rule paging-marker-invalid), else this simulator's own."""
        if rules.enabled(paging_marker_invalid.NAME):
            return ServiceError("InvalidParameterException", paging_marker_invalid.message(token, uuid.uuid4()))
        return ServiceError("InvalidParameterException", own_words)

    def page_size(self, scan, position, limit, total):
        """Items this page holds: limit, or (rule short-pages) at a seeded share of the pages that are not
        the last, 1 to limit-1 items, the same for the same scan and position."""
        if not rules.enabled("short-pages") or limit < 2 or total - position <= limit:
            return limit
        h = int.from_bytes(hashlib.blake2b(f"{self.args.short_page_seed}:{scan}:{position}".encode(),
                                           digest_size=8).digest(), "little")
        if h % 1000 >= self.args.short_page_share * 1000:
            return limit
        with self.stats_lock:
            self.short_pages += 1
        return 1 + (h >> 10) % (limit - 1)

    # --- operations --------------------------------------------------------
    def check_pool(self, body):
        if body.get("UserPoolId") != self.pool.pool_id:
            raise ServiceError("ResourceNotFoundException", f"User pool {body.get('UserPoolId')} does not exist.")

    def limit(self, body):
        limit = body.get("Limit", PAGE)
        if not isinstance(limit, int) or not 0 <= limit <= PAGE:
            raise ServiceError("InvalidParameterException",
                               "1 validation error detected: Value at 'limit' failed to satisfy constraint: "
                               "Member must have value less than or equal to 60")
        return limit or PAGE

    def overlay_users(self, prefix):
        """Created users whose sub starts with prefix, in sub order: a range of one sorted list, rebuilt
        only after users were created (so listing a restored pool of millions costs O(page))."""
        with self.lock:
            if self.overlay_cache is None or self.overlay_cache[0] != self.created:
                found = [(self.attr(u, "sub"), u) for name, u in self.users.items() if self.pool.index_of(name) is None]
                found.sort(key=lambda e: e[0])
                self.overlay_cache = (self.created, [e[0] for e in found], [e[1] for e in found])
            _, subs, users = self.overlay_cache
        lo = bisect.bisect_left(subs, prefix)
        hi = bisect.bisect_left(subs, prefix + "\uffff")
        return users[lo:hi]

    def current(self, i):
        """Synthetic user i, or its changed copy once a restore call changed it."""
        if self.users:
            with self.lock:
                changed = self.users.get(self.pool.username(i))
            if changed:
                return self.public(changed)
        return self.pool.user(i)

    @staticmethod
    def attr(u, name):
        for a in u.get("Attributes", u.get("UserAttributes", [])):
            if a["Name"] == name:
                return a["Value"]
        return ""

    @staticmethod
    def public(u):
        return {k: v for k, v in u.items() if not k.startswith("_")}

    def ListUsers(self, body):
        self.check_pool(body)
        limit = self.limit(body)
        f = (body.get("Filter") or "").strip()
        prefix = ""
        if f:
            name, _, rest = f.partition("^=")
            value = rest.strip()
            if name.strip() != "sub" or len(value) < 2 or value[0] != '"' or value[-1] != '"':
                raise ServiceError("InvalidParameterException", f"This simulator filters only by sub ^= \"prefix\", not {f}")
            prefix = value[1:-1]
        at, length = self.pool.scan(prefix)
        if len(prefix) > 8:
            length = 0
        scan = "users:" + prefix
        position, began = 0, time.time()
        if body.get("PaginationToken"):
            position, began = self.read_token(body["PaginationToken"], scan)
        extra = self.overlay_users(prefix.lower()) if self.users else []
        total = length + len(extra)
        n = self.page_size(scan, position, limit, total)
        users = [self.current(at(p)) for p in range(position, min(length, position + n))]
        if len(users) < n and extra:
            start = max(0, position - length)
            users += [self.public(u) for u in extra[start:start + n - len(users)]]
        end = position + len(users)
        out = {"Users": users}
        if end < total:
            out["PaginationToken"] = self.token(scan, end, began)
        return out

    def ListUsersInGroup(self, body):
        self.check_pool(body)
        limit = self.limit(body)
        name = body.get("GroupName", "")
        g = self.pool.group_index(name)
        with self.lock:
            added = sorted(self.members.get(name, ()))
            known = name in self.groups
        if g is None and not known:
            raise ServiceError("ResourceNotFoundException", "Group not found.")
        at, length = self.pool.members(g) if g is not None else ((lambda m: None), 0)
        scan = "group:" + name
        position, began = 0, time.time()
        if body.get("NextToken"):
            position, began = self.read_token(body["NextToken"], scan)
        total = length + len(added)
        n = self.page_size(scan, position, limit, total)
        users = [self.current(at(m)) for m in range(position, min(length, position + n))]
        if len(users) < n and added:
            start = max(0, position - length)
            take = added[start:start + n - len(users)]
            with self.lock:
                users += [self.public(self.users[u]) if u in self.users else self.pool.user(self.pool.index_of(u))
                          for u in take]
        end = position + len(users)
        out = {"Users": users}
        if end < total:
            out["NextToken"] = self.token(scan, end, began)
        return out

    def ListGroups(self, body):
        self.check_pool(body)
        limit = self.limit(body)
        with self.lock:
            extra = [self.groups[k] for k in sorted(self.groups)]
        everything = [self.pool.group(g) for g in range(self.pool.g)] + extra
        position, began = 0, time.time()
        if body.get("NextToken"):
            position, began = self.read_token(body["NextToken"], "groups")
        n = self.page_size("groups", position, limit, len(everything))
        out = {"Groups": everything[position:position + n]}
        if position + n < len(everything):
            out["NextToken"] = self.token("groups", position + n, began)
        return out

    def pool_settings(self, pool_id):
        """The rules' view of a pool (rules.Context.pool): this simulator's one pool, or None."""
        return self.pool.describe(len(self.users)) if pool_id == self.args.pool_id else None

    def ListUserPools(self, body):
        """This simulator's one pool (the fleet mode lists the caller's account and region)."""
        return list_user_pools(body, [self.pool])

    def DescribeUserPool(self, body):
        self.check_pool(body)
        return {"UserPool": self.pool.describe(len(self.users))}

    def GetUserPoolMfaConfig(self, body):
        """As GetUserPoolMfaConfig answers for a pool with MFA off (the pool describe() gives): no factor."""
        self.check_pool(body)
        return {"MfaConfiguration": self.pool.describe(0)["MfaConfiguration"]}

    def ListUserPoolClients(self, body):
        """The simulated pool has no app client, identity provider, resource server or domain."""
        self.check_pool(body)
        return {"UserPoolClients": []}

    def ListIdentityProviders(self, body):
        self.check_pool(body)
        return {"Providers": []}

    def ListResourceServers(self, body):
        self.check_pool(body)
        return {"ResourceServers": []}

    def extra(self, op, body):
        """What the simulated pool answers for the configuration moto lacks too (scripts/pool_extras.py):
        it has none of it (no risk configuration, UI customization, branding, log delivery or terms)."""
        self.check_pool(body)
        if getattr(self, "extras", None) is None:
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import pool_extras
            self.extras = pool_extras.PoolExtras(lambda pool_id: pool_id == self.args.pool_id)
        status, out = self.extras.answer(op, body)
        if status != 200:
            raise ServiceError(out["__type"], out["message"], status)
        return out

    def DescribeRiskConfiguration(self, body):
        return self.extra("DescribeRiskConfiguration", body)

    def GetUICustomization(self, body):
        return self.extra("GetUICustomization", body)

    def DescribeManagedLoginBrandingByClient(self, body):
        return self.extra("DescribeManagedLoginBrandingByClient", body)

    def GetLogDeliveryConfiguration(self, body):
        return self.extra("GetLogDeliveryConfiguration", body)

    def ListTerms(self, body):
        return self.extra("ListTerms", body)

    def find_user(self, username):
        with self.lock:
            if username in self.users:
                return self.users[username]
        i = self.pool.index_of(username or "")
        if i is None:
            raise ServiceError("UserNotFoundException", "User does not exist.")
        return self.pool.user(i)

    def AdminGetUser(self, body):
        self.check_pool(body)
        found = self.find_user(body.get("Username"))
        u = dict(self.public(found))
        u["UserAttributes"] = u.pop("Attributes")
        u.setdefault("MFAOptions", [])
        enabled, preferred = found.get("_mfa", ([], ""))
        if "_mfa" not in found:
            i = self.pool.index_of(u["Username"])
            if i is not None:
                enabled, preferred = self.pool.mfa(i)
        if enabled:
            u["UserMFASettingList"] = list(enabled)
        if preferred:
            u["PreferredMfaSetting"] = preferred
        return u

    def AdminSetUserMFAPreference(self, body):
        self.check_pool(body)
        username = body.get("Username")
        current = self.find_user(username)
        if "_mfa" in current:
            enabled, preferred = current["_mfa"]
        else:
            i = self.pool.index_of(username or "")
            enabled, preferred = self.pool.mfa(i) if i is not None else ([], "")
        enabled, preferred = list(enabled), preferred
        if (body.get("SoftwareTokenMfaSettings") or {}).get("Enabled"):
            raise ServiceError("InvalidParameterException", "User has not verified software token mfa")
        for key, method, needs in (("SMSMfaSettings", "SMS_MFA", "phone_number"), ("EmailMfaSettings", "EMAIL_OTP", "email")):
            setting = body.get(key)
            if setting is None:
                continue
            if setting.get("Enabled"):
                if not self.attr(current, needs):
                    raise ServiceError("InvalidParameterException", f"User does not have delivery config set to turn on {method}")
                if method not in enabled:
                    enabled.append(method)
            elif method in enabled:
                enabled.remove(method)
            if setting.get("PreferredMfa"):
                preferred = method
            elif preferred == method:
                preferred = ""
        u = self.overlay_copy(username)
        with self.lock:
            u["_mfa"] = (enabled, preferred)
        return {}

    def new_user(self, username, attributes, status):
        if self.pool.index_of(username) is not None or username in self.users:
            raise ServiceError("UsernameExistsException", "User account already exists")
        now = time.time()
        attrs = [a for a in attributes if a.get("Name") != "sub"]
        attrs.insert(0, {"Name": "sub", "Value": str(uuid.uuid4())})
        self.users[username] = {"Username": username, "Attributes": attrs, "UserCreateDate": now,
                                "UserLastModifiedDate": now, "Enabled": True, "UserStatus": status}
        self.created += 1
        return self.users[username]

    def AdminCreateUser(self, body):
        self.check_pool(body)
        username = body.get("Username")
        if not username:
            raise ServiceError("InvalidParameterException", "Username is required.")
        with self.lock:
            u = self.new_user(username, body.get("UserAttributes", []), "FORCE_CHANGE_PASSWORD")
            return {"User": self.public(u)}

    def overlay_copy(self, username):
        """The user as a mutable overlay entry (a synthetic one is copied in first)."""
        u = self.find_user(username)
        with self.lock:
            if username not in self.users:
                self.users[username] = dict(u)
            return self.users[username]

    def AdminSetUserPassword(self, body):
        self.check_pool(body)
        if len(body.get("Password", "")) < 8:
            raise ServiceError("InvalidPasswordException", "Password did not conform with policy: Password not long enough")
        u = self.overlay_copy(body.get("Username"))
        with self.lock:
            u["UserStatus"] = "CONFIRMED" if body.get("Permanent") else "FORCE_CHANGE_PASSWORD"
        return {}

    def AdminDisableUser(self, body):
        self.check_pool(body)
        u = self.overlay_copy(body.get("Username"))
        with self.lock:
            u["Enabled"] = False
        return {}

    def AdminAddUserToGroup(self, body):
        self.check_pool(body)
        name, username = body.get("GroupName", ""), body.get("Username")
        self.find_user(username)
        with self.lock:
            g = self.pool.group_index(name)
            if name not in self.groups and g is None:
                raise ServiceError("ResourceNotFoundException", "Group not found.")
            i = self.pool.index_of(username)
            if g is None or i is None or self.pool.group_of(i) != g:  # already a synthetic member: nothing to add
                self.members.setdefault(name, set()).add(username)
        return {}

    def CreateGroup(self, body):
        self.check_pool(body)
        name = body.get("GroupName")
        if not name:
            raise ServiceError("InvalidParameterException", "GroupName is required.")
        with self.lock:
            if name in self.groups or self.pool.group_index(name) is not None:
                raise ServiceError("GroupExistsException", "A group with the name already exists.")
            now = time.time()
            g = {"GroupName": name, "UserPoolId": self.pool.pool_id, "LastModifiedDate": now, "CreationDate": now}
            for k in ("Description", "Precedence", "RoleArn"):
                if k in body:
                    g[k] = body[k]
            self.groups[name] = g
            return {"Group": g}

    CSV_HEADER = ["name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
                  "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
                  "phone_number", "phone_number_verified", "address", "updated_at", "custom:tier",
                  "custom:employee_id", "cognito:mfa_enabled", "cognito:username"]

    def GetCSVHeader(self, body):
        self.check_pool(body)
        return {"UserPoolId": self.pool.pool_id, "CSVHeader": self.CSV_HEADER}

    ACTIVE = ("Pending", "InProgress", "Stopping")

    def new_job(self, name, role):
        job_id = "import-" + uuid.uuid4().hex[:10]
        job = {"JobName": name, "JobId": job_id, "UserPoolId": self.pool.pool_id,
               "PreSignedUrl": f"{self.endpoint}/__sim/import/{job_id}?X-Amz-Expires=900&X-Amz-Signature={uuid.uuid4().hex}",
               "CreationDate": time.time(), "Status": "Created", "CloudWatchLogsRoleArn": role,
               "ImportedUsers": 0, "SkippedUsers": 0, "FailedUsers": 0}
        self.jobs[job_id] = {"job": job, "csv": None, "created": time.monotonic()}
        return job

    def foreign_job(self):
        """--foreign-job SECONDS: someone else's job, InProgress from the first CreateUserImportJob for
        SECONDS (/ --time-scale), then Succeeded. Called with self.lock held."""
        if not self.args.foreign_job:
            return
        if self.foreign is None:
            job = self.new_job("someone-elses-import", "arn:aws:iam::123456789012:role/TheirImportLogs")
            job.update(Status="InProgress", StartDate=time.time(), PreSignedUrl="")
            self.foreign = (job, time.monotonic() + self.args.foreign_job / self.args.time_scale)
        job, ends = self.foreign
        if job["Status"] == "InProgress" and time.monotonic() >= ends:
            job.update(Status="Succeeded", CompletionDate=time.time(), CompletionMessage="Import Job Completed Successfully.")

    def CreateUserImportJob(self, body):
        self.check_pool(body)
        if not body.get("CloudWatchLogsRoleArn", "").startswith("arn:"):
            raise ServiceError("InvalidParameterException", "CloudWatchLogsRoleArn must be a role ARN.")
        with self.lock:
            self.foreign_job()
            active = [j["job"]["JobId"] for j in self.jobs.values() if j["job"]["Status"] in self.ACTIVE]
            if active and rules.enabled("import-one-active-job"):
                raise ServiceError("LimitExceededException",
                                   "Only one import job can be active at a time in this account and Region.")
            job = self.new_job(body.get("JobName", ""), body["CloudWatchLogsRoleArn"])
            return {"UserImportJob": dict(job)}

    def ListUserImportJobs(self, body):
        self.check_pool(body)
        limit = body.get("MaxResults")
        if not isinstance(limit, int) or not 1 <= limit <= 60:
            raise ServiceError("InvalidParameterException", "MaxResults must be between 1 and 60.")
        with self.lock:
            self.foreign_job()
            everything = [dict(j["job"]) for j in sorted(self.jobs.values(), key=lambda j: -j["created"])]
        position = int(body.get("PaginationToken") or 0)
        out = {"UserImportJobs": everything[position:position + limit]}
        if position + limit < len(everything):
            out["PaginationToken"] = str(position + limit)
        return out

    def job(self, body):
        self.check_pool(body)
        with self.lock:
            j = self.jobs.get(body.get("JobId"))
        if not j:
            raise ServiceError("ResourceNotFoundException", f"Import job {body.get('JobId')} does not exist.")
        return j

    @staticmethod
    def split_csv_line(line):
        """Cognito's CSV: values unquoted, a comma inside a value escaped as \\,."""
        fields, cur, i = [], [], 0
        while i < len(line):
            c = line[i]
            if c == "\\" and i + 1 < len(line) and line[i + 1] == ",":
                cur.append(",")
                i += 2
                continue
            if c == ",":
                fields.append("".join(cur))
                cur = []
            else:
                cur.append(c)
            i += 1
        fields.append("".join(cur))
        return fields

    def StartUserImportJob(self, body):
        j = self.job(body)
        with self.lock:
            job = j["job"]
            if job["Status"] != "Created":
                raise ServiceError("InvalidParameterException", f"Import job {job['JobId']} was already started.")
            if j["csv"] is None:
                raise ServiceError("InvalidParameterException", "No CSV file was uploaded to the pre-signed URL.")
            job["Status"] = "Pending"
            job["StartDate"] = time.time()
            out = dict(job)
        threading.Thread(target=self.run_import, args=(j,), daemon=True).start()
        return {"UserImportJob": out}

    def run_import(self, j):
        """Pending, then InProgress (users created RESET_REQUIRED as the rows are read), then Succeeded, or
        Failed (rule import-job-ends: too many rows failed; or --import-end), Stopped or Expired (--import-end)."""
        job = j["job"]
        with self.lock:
            forced, self.forced_end = self.forced_end, None
        time.sleep(self.args.import_delay / self.args.time_scale)
        text = j["csv"].decode("utf-8", errors="replace")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
        end_status, end_after = None, None
        if forced:
            end_status, _, rows = forced.partition(":")
            end_after = int(rows) if rows else (0 if end_status == "Expired" else max(0, len(lines) - 1) // 2)
        if end_status == "Expired" and end_after == 0:
            with self.lock:  # the job's data was deleted before it ran
                job.update(Status="Expired", CompletionDate=time.time(), CompletionMessage="The import job expired.")
            return
        with self.lock:
            job["Status"] = "InProgress"
        header = self.split_csv_line(lines[0]) if lines else []
        if sorted(header) != sorted(self.CSV_HEADER) or len(set(header)) != len(header):
            with self.lock:
                job.update(Status="Failed", CompletionDate=time.time(),
                           CompletionMessage="The CSV header must hold every column of GetCSVHeader.")
            return
        mfa_on = self.pool.describe(0).get("MfaConfiguration") == "ON"
        rate = self.args.import_rate * self.args.time_scale
        began = time.monotonic()
        for n, line in enumerate(lines[1:]):
            if end_after is not None and n >= end_after:
                message = {"Failed": import_job_ends.FAILED_MESSAGE, "Stopped": "The import job was stopped.",
                           "Expired": "The import job expired."}.get(end_status, "")
                with self.lock:
                    job.update(Status=end_status, CompletionDate=time.time(), CompletionMessage=message)
                return
            if rate:
                ahead = n / rate - (time.monotonic() - began)
                if ahead > 0:
                    time.sleep(ahead)
            ok = self.import_row(line, header, mfa_on)
            with self.lock:
                job["ImportedUsers" if ok else "FailedUsers"] += 1
                read = job["ImportedUsers"] + job["FailedUsers"] + job["SkippedUsers"]
                failed = job["FailedUsers"] + job["SkippedUsers"]
                if (rules.enabled(import_job_ends.NAME) and read >= import_job_ends.MIN_ROWS
                        and failed > import_job_ends.FAILED_SHARE * read):
                    job.update(Status="Failed", CompletionDate=time.time(), CompletionMessage=import_job_ends.FAILED_MESSAGE)
                    return
        with self.lock:
            job.update(Status="Succeeded", CompletionDate=time.time(),
                       CompletionMessage="Import Job Completed Successfully.")

    def import_row(self, line, header, mfa_on):
        """Whether one CSV row makes a user, by the guide's rules."""
        if rules.enabled("import-row-16000-characters") and len(line) > 16000:
            return False
        fields = self.split_csv_line(line)
        if len(fields) != len(header):
            return False
        if rules.enabled("import-trims-white-space"):
            fields = [f.strip() for f in fields]
        row = dict(zip(header, fields))
        username = row.get("cognito:username", "")
        attrs = [{"Name": k, "Value": v} for k, v in row.items() if v and k not in ("cognito:username", "cognito:mfa_enabled")]
        verified = row.get("email_verified") == "true" or row.get("phone_number_verified") == "true"
        flags = all(row.get(k, "") in ("", "true", "false") for k in ("email_verified", "phone_number_verified"))
        mfa = row.get("cognito:mfa_enabled")
        if mfa_on and rules.enabled("import-mfa-enabled-when-required") and mfa != "true":
            return False
        if not (username and mfa in ("true", "false") and verified and flags):
            return False
        with self.lock:
            try:
                self.new_user(username, attrs, "RESET_REQUIRED")
                return True
            except ServiceError:
                return False

    def DescribeUserImportJob(self, body):
        j = self.job(body)
        with self.lock:
            self.foreign_job()
            return {"UserImportJob": dict(j["job"])}

    def upload(self, job_id, data):
        """(HTTP status, body) of a PUT to a job's pre-signed URL."""
        with self.lock:
            j = self.jobs.get(job_id)
            if not j or j["job"]["Status"] != "Created":
                return 404, b"no such import job, or it was started"
            if self.refuse_uploads > 0:  # --refuse-uploads: as S3 refuses a PUT it may not take
                self.refuse_uploads -= 1
                return 403, b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
            life = import_url_expiry.LIFE / self.args.time_scale
            if rules.enabled(import_url_expiry.NAME) and time.monotonic() - j["created"] > life:
                # S3's answer to an expired pre-signed request.
                return 403, (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
                             b"<Message>Request has expired</Message><X-Amz-Expires>900</X-Amz-Expires></Error>")
            j["csv"] = data
            return 200, b""

    def rule_answer(self, op, request, snap):
        """The answer a rule that shapes answers (scripts/rules/) gives instead of the service, or None; before
        counting, so the stats count the calls that took effect."""
        from rules import internal_errors, per_pool_operation_cap
        if not self.args.model_check:
            return None
        if snap and rules.enabled(internal_errors.NAME):
            if not hasattr(self, "error_rng"):
                self.error_rng, self.error_lock = random.Random(0), threading.Lock()
            if internal_errors.strike(self.error_rng, self.args.internal_error_rate, self.error_lock):
                self.count(op, "internalErrors")
                return ServiceError("InternalErrorException", internal_errors.MESSAGE, 500)
        if rules.enabled(per_pool_operation_cap.NAME) and CATEGORY.get(op) in per_pool_operation_cap.CATEGORIES:
            if not hasattr(self, "limiter"):
                self.limiter = per_pool_operation_cap.Limiter(per_pool_operation_cap.RATE * self.args.time_scale)
            if not self.limiter.admit(request.get("UserPoolId"), op):
                self.count(op, "throttled")
                return ServiceError("TooManyRequestsException", f"Rate exceeded [rule {per_pool_operation_cap.NAME}]")
        return None

    # --- admission -------------------------------------------------------
    def admit(self, op):
        """Throttles beyond the category's bucket (and during a storm)."""
        cat = CATEGORY.get(op)
        if not cat:
            return
        now = time.monotonic()
        # The storm's clock starts at the first UserList request: snap reads the pool's configuration
        # first, for a time that varies with what the pool holds, and a storm timed from that would
        # miss the listing it is meant to hit.
        if self.started is None and cat == "UserList":
            self.started = now
        if self.storm and cat == "UserList" and self.storm[0] <= now - self.started < self.storm[1]:
            raise ServiceError("TooManyRequestsException", "Rate exceeded")
        if not self.args.no_quota and not self.buckets[cat].take():
            raise ServiceError("TooManyRequestsException", "Rate exceeded")


_SIGNING_KEYS = {}  # (secret, date, region, service) -> key: four HMACs saved per request


def signing_key(secret, date, region, service):
    cached = (secret, date, region, service)
    k = _SIGNING_KEYS.get(cached)
    if k is None:
        k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
        for part in (region, service, "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        if len(_SIGNING_KEYS) > 4096:
            _SIGNING_KEYS.clear()
        _SIGNING_KEYS[cached] = k
    return k


def parse_authorization(handler):
    """(key id, date, region, service, term, signed headers, signature) of the SigV4 Authorization header,
    or a ServiceError."""
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return ServiceError("MissingAuthenticationTokenException", "Missing Authentication Token")
    try:
        parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        key_id, date, region, service, term = parts["Credential"].split("/")
        signed = parts["SignedHeaders"].split(";")
        signature = parts["Signature"]
    except (ValueError, KeyError):
        return ServiceError("IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders and Signature.")
    return key_id, date, region, service, term, signed, signature


def verify_signature(handler, body, auth, secret):
    """None when the signature of the parsed Authorization header (parse_authorization) is right for
    secret, else a ServiceError."""
    key_id, date, region, service, term, signed, signature = auth
    amz_date = handler.headers.get("X-Amz-Date", "")
    if "host" not in signed or not amz_date.startswith(date):
        return ServiceError("IncompleteSignatureException", "The request must sign host and carry X-Amz-Date.")
    path, _, query = handler.path.partition("?")
    canonical_query = "&".join(sorted(query.split("&"))) if query else ""
    headers = "".join(f"{h}:{' '.join((handler.headers.get(h) or '').split())}\n" for h in signed)
    payload = handler.headers.get("X-Amz-Content-Sha256") or hashlib.sha256(body).hexdigest()
    creq = "\n".join([handler.command, path, canonical_query, headers, ";".join(signed), payload])
    scope = f"{date}/{region}/{service}/{term}"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    expected = hmac.new(signing_key(secret, date, region, service), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return ServiceError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")
    return None


def check_signature(handler, body, access_key, secret):
    """None when the SigV4 header signature is right, else a ServiceError."""
    auth = parse_authorization(handler)
    if isinstance(auth, ServiceError):
        return auth
    if auth[0] != access_key:
        return ServiceError("UnrecognizedClientException", "The security token included in the request is invalid.")
    return verify_signature(handler, body, auth, secret)


def make_handler(sim):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart (delayed ACK)

        def log_message(self, *a):
            pass

        def reply(self, status, payload, content_type="application/x-amz-json-1.1", error=None):
            data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            if error:
                self.send_header("x-amzn-ErrorType", error)
            # end_headers() without its flush: the headers and the body leave in one write (one syscall)
            if getattr(self, "_headers_buffer", None) is None:  # HTTP/0.9: no headers
                return self.wfile.write(data)
            self._headers_buffer.append(b"\r\n")
            self._headers_buffer.append(data)
            self.flush_headers()

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def do_GET(self):
            self.body()
            if self.path == "/__sim/stats":
                return self.reply(200, sim.stats(), "application/json")
            self.reply(404, {"message": "not found"}, "application/json")

        def do_PUT(self):
            data = self.body()
            path = self.path.partition("?")[0]
            if not path.startswith("/__sim/import/"):
                return self.reply(404, b"no such import job", "text/plain")
            # The pre-signed URL is signed for the header Cognito's guide shows; S3 refuses the PUT without it.
            if self.headers.get("x-amz-server-side-encryption") != "aws:kms":
                return self.reply(403, b"<Error><Code>AccessDenied</Code><Message>x-amz-server-side-encryption: aws:kms is required"
                                       b"</Message></Error>", "application/xml")
            status, answer = sim.upload(path.rsplit("/", 1)[1], data)
            self.reply(status, answer, "application/xml" if status == 403 else "text/plain")

        def do_POST(self):
            body = self.body()
            if self.path == "/__sim/reset":
                sim.reset_stats()
                return self.reply(200, {}, "application/json")
            target = self.headers.get("X-Amz-Target", "")
            op = target.rpartition(".")[2]
            try:
                bad = check_signature(self, body, sim.args.access_key, sim.args.secret_key)
                if bad:
                    raise bad
                handler = getattr(Simulator, op, None) if op[:1].isupper() and op in OPERATIONS else None
                if handler is None:
                    raise ServiceError("UnknownOperationException", f"Unknown operation {target}")
                if sim.args.model_check and (self.headers.get("User-Agent") or "").startswith("snap"):
                    violations = model_check.check(self.headers, body)
                    if violations:
                        sim.count(op, "modelViolations")
                        raise ServiceError("SnapModelViolation", "the request breaks the AWS service model: " + "; ".join(violations))
                try:
                    request = json.loads(body or b"{}")
                except ValueError:
                    raise ServiceError("SerializationException", "The request body is not JSON.")
                if sim.args.model_check and (self.headers.get("User-Agent") or "").startswith("snap"):
                    refusal = rules.check(op, request, rules.Context("cognito-idp", sim.pool_settings))
                    if refusal is not None:
                        sim.count(op, "ruleRefusals")
                        raise ServiceError(refusal.code, refusal.message, refusal.status)
                ruled = sim.rule_answer(op, request, (self.headers.get("User-Agent") or "").startswith("snap"))
                if ruled is not None:
                    raise ruled
                sim.count(op, "count")
                if sim.rtt:
                    time.sleep(sim.rtt)
                try:
                    sim.admit(op)
                except ServiceError:
                    sim.count(op, "throttled")
                    raise
                try:
                    out = handler(sim, request)
                except ServiceError as e:
                    sim.count(op, "refused" if e.code == "InvalidParameterException" else "errors")
                    raise
                self.reply(200, out)
            except ServiceError as e:
                self.reply(e.status, {"__type": e.code, "message": e.message}, error=e.code)

    return Handler


def list_user_pools(body, pools):
    """ListUserPools over pools (Pool objects), sorted by id; NextToken is the next pool's id, encoded."""
    limit = body.get("MaxResults")
    if limit is None:
        raise ServiceError("InvalidParameterException", "1 validation error detected: Value null at 'maxResults' failed "
                                                        "to satisfy constraint: Member must not be null")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit > 60:
        raise ServiceError("InvalidParameterException", f"1 validation error detected: Value '{limit}' at 'maxResults' "
                                                        "failed to satisfy constraint: Member must have value less than "
                                                        "or equal to 60")
    if limit < 1:
        raise ServiceError("InvalidParameterException", f"1 validation error detected: Value '{limit}' at 'maxResults' "
                                                        "failed to satisfy constraint: Member must have value greater "
                                                        "than or equal to 1")
    ordered = sorted(pools, key=lambda p: p.pool_id)
    start = 0
    token = body.get("NextToken")
    if token is not None:
        try:
            after = base64.urlsafe_b64decode(token.encode()).decode()
            if not after.startswith("pool:"):
                raise ValueError
            start = bisect.bisect_left([p.pool_id for p in ordered], after[5:])
        except (ValueError, UnicodeError):
            raise ServiceError("InvalidParameterException", "Invalid pagination token.")
    page = ordered[start:start + limit]
    out = {"UserPools": [{"Id": p.pool_id, "Name": p.name, "LambdaConfig": {}, "LastModifiedDate": EPOCH,
                          "CreationDate": EPOCH} for p in page]}
    if start + limit < len(ordered):
        out["NextToken"] = base64.urlsafe_b64encode(("pool:" + ordered[start + limit].pool_id).encode()).decode()
    return out


# ----------------------------------------------------------------------------------------------------------
# Fleet mode (--fleet FLEET.json): many pools of several accounts and regions on one endpoint.

class Counts:
    """Per-operation counts, per-category counts and UserList requests per second: the shape of the
    single-pool stats, for one lane (account and region) of the fleet."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.ops, self.cats, self.timeline, self.first, self.last = {}, {}, {}, None, None

    def count(self, op, what):
        with self.lock:
            o = self.ops.setdefault(op, {"count": 0, "throttled": 0, "refused": 0, "errors": 0, "modelViolations": 0})
            o[what] = o.get(what, 0) + 1
            if what == "count":
                now = time.time()
                self.first = self.first or now
                self.last = now
                cat = CATEGORY.get(op)
                if cat:
                    self.cats[cat] = self.cats.get(cat, 0) + 1
                if cat == "UserList":
                    second = int(now - self.first)
                    self.timeline[second] = self.timeline.get(second, 0) + 1

    def snapshot(self):
        with self.lock:
            return {"categories": dict(self.cats), "operations": {k: dict(v) for k, v in self.ops.items()},
                    "userListPerSecond": [self.timeline.get(i, 0) for i in range(max(self.timeline, default=-1) + 1)],
                    "first": self.first, "last": self.last}


class Lane:
    """One account in one region: the token buckets (one per quota category, x K) its pools share."""

    def __init__(self, account, region, k):
        self.account, self.region = account, region
        self.buckets = {c: Bucket(rps * k) for c, (rps, _) in QUOTAS.items()}
        self.counts = Counts()
        self.sims = []


class Fleet:
    """The accounts, their pools (one Simulator each, its buckets the lane's), the lanes and the temporary
    credentials AssumeRole made."""

    def __init__(self, spec, args):
        self.args = args
        self.lock = threading.Lock()
        self.accounts = {}  # account id -> account spec
        self.keys = {}  # access key id -> identity: {"account", "secret", "arn", "userId", "token", "expires"}
        self.roles = {}  # role ARN -> account id
        for a in spec.get("accounts", []):
            aid = str(a["id"])
            if not (len(aid) == 12 and aid.isdigit()):
                raise ValueError(f"account id {aid!r} is not 12 digits")
            if aid in self.accounts or a["accessKey"] in self.keys:
                raise ValueError(f"account {aid} or its access key is listed twice")
            self.accounts[aid] = a
            self.keys[a["accessKey"]] = {"account": aid, "secret": a["secretKey"], "arn": f"arn:aws:iam::{aid}:user/snap",
                                         "userId": "AIDA" + hashlib.sha256(aid.encode()).hexdigest()[:17].upper(),
                                         "token": None, "expires": None}
            for role in a.get("roles", []):
                if role.split(":")[4:5] != [aid]:
                    raise ValueError(f"role {role} is not an ARN of account {aid}")
                self.roles[role] = aid
        self.lanes = {}  # (account, region) -> Lane
        self.pools = {}  # pool id -> (Simulator, account, region, denied)
        for p in spec.get("pools", []):
            pid, aid = p["id"], str(p["account"])
            if aid not in self.accounts:
                raise ValueError(f"pool {pid}: no account {aid}")
            if pid in self.pools or "_" not in pid:
                raise ValueError(f"pool id {pid!r} is listed twice or has no REGION_ prefix")
            a = argparse.Namespace(**vars(args))
            a.users = int(p.get("users", args.users))
            a.groups = int(p.get("groups", args.groups))
            a.pool_id = pid
            a.mfa = bool(p.get("mfa", args.mfa))
            a.hostile = bool(p.get("hostile", args.hostile))
            a.padded = bool(p.get("padded", args.padded))
            a.mfa_configuration = p.get("mfaConfiguration", args.mfa_configuration)
            if not 0 <= a.users <= 40_000_000:
                raise ValueError(f"pool {pid}: users must be between 0 and 40,000,000")
            sim = Simulator(a)
            sim.pool.name = p.get("name", sim.pool.name)
            lane = self.lane(aid, sim.region)
            sim.buckets = lane.buckets  # the pools of one account and region share one budget
            lane.sims.append(sim)
            self.pools[pid] = (sim, aid, sim.region, bool(p.get("denied", False)))

    def lane(self, account, region):
        with self.lock:
            lane = self.lanes.get((account, region))
            if lane is None:
                lane = self.lanes[(account, region)] = Lane(account, region, self.args.time_scale)
            return lane

    def identity(self, key_id):
        with self.lock:
            return self.keys.get(key_id)

    def assume(self, caller, role, session, duration):
        aid = self.roles[role]
        key_id = "ASIA" + "".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        secret = base64.b64encode(os.urandom(30)).decode()
        token = "FwoGZXIvYXdzE" + base64.b64encode(os.urandom(96)).decode()
        expires = time.time() + duration
        role_name = role.rsplit("/", 1)[1]
        role_id = "AROA" + hashlib.sha256(role.encode()).hexdigest()[:17].upper()
        ident = {"account": aid, "secret": secret, "token": token, "expires": expires,
                 "arn": f"arn:aws:sts::{aid}:assumed-role/{role_name}/{session}", "userId": f"{role_id}:{session}"}
        with self.lock:
            self.keys[key_id] = ident
        return key_id, ident

    def reset(self):
        for lane in self.lanes.values():
            lane.counts.reset()
        for sim, *_ in self.pools.values():
            sim.reset_stats()

    def stats(self):
        with self.lock:
            lanes = list(self.lanes.values())
        return {"timeScale": self.args.time_scale,
                "lanes": {f"{lane.account}/{lane.region}": lane.counts.snapshot() for lane in lanes},
                "pools": {pid: {"operations": sim.stats()["operations"], "account": aid, "region": region,
                                "denied": denied}
                          for pid, (sim, aid, region, denied) in sorted(self.pools.items())}}


STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def xml_escape(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&apos;"))


def sts_error(code, message, status=400, sender=True):
    return status, (f'<ErrorResponse xmlns="{STS_NS}"><Error><Type>{"Sender" if sender else "Receiver"}</Type>'
                    f'<Code>{code}</Code><Message>{xml_escape(message)}</Message></Error>'
                    f'<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>')


def sts_answer(action, result):
    return 200, (f'<{action}Response xmlns="{STS_NS}"><{action}Result>{result}</{action}Result>'
                 f'<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>')


def sts(fleet, ident, form):
    """(HTTP status, XML) of an STS query request (GetCallerIdentity, AssumeRole)."""
    from urllib.parse import parse_qsl
    params = dict(parse_qsl(form, keep_blank_values=True))
    action = params.get("Action", "")
    if params.get("Version") != "2011-06-15":
        return sts_error("InvalidAction", f"Could not find operation {action} for version {params.get('Version', 'NO_VERSION_SPECIFIED')}")
    if action == "GetCallerIdentity":
        return sts_answer(action, f"<Arn>{xml_escape(ident['arn'])}</Arn><UserId>{xml_escape(ident['userId'])}</UserId>"
                                  f"<Account>{ident['account']}</Account>")
    if action != "AssumeRole":
        return sts_error("InvalidAction", f"Could not find operation {action} for version 2011-06-15")
    role, session = params.get("RoleArn", ""), params.get("RoleSessionName", "")
    problems = []
    if len(role) < 20:
        problems.append(f"Value '{role}' at 'roleArn' failed to satisfy constraint: Member must have length greater "
                        "than or equal to 20" if role else "Value null at 'roleArn' failed to satisfy constraint: "
                                                           "Member must not be null")
    if not session:
        problems.append("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
    elif not (2 <= len(session) <= 64 and all(c.isalnum() or c in "_+=,.@-" for c in session)):
        problems.append(f"Value '{session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy "
                        "regular expression pattern: [\\w+=,.@-]*")
    duration = 3600
    if "DurationSeconds" in params:
        try:
            duration = int(params["DurationSeconds"])
        except ValueError:
            duration = -1
        if duration < 900:
            problems.append(f"Value '{params['DurationSeconds']}' at 'durationSeconds' failed to satisfy constraint: "
                            "Member must have value greater than or equal to 900")
        elif duration > 43200:
            problems.append(f"Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have "
                            "value less than or equal to 43200")
    if problems:
        return sts_error("ValidationError", f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} "
                                            f"detected: " + "; ".join(problems))
    if role not in fleet.roles:  # assumption: any caller may assume any role the fleet file lists
        return sts_error("AccessDenied", f"User: {ident['arn']} is not authorized to perform: sts:AssumeRole on "
                                         f"resource: {role}", 403)
    key_id, new = fleet.assume(ident, role, session, duration)
    expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(new["expires"]))
    return sts_answer(action, f"<Credentials><AccessKeyId>{key_id}</AccessKeyId>"
                              f"<SecretAccessKey>{xml_escape(new['secret'])}</SecretAccessKey>"
                              f"<SessionToken>{xml_escape(new['token'])}</SessionToken>"
                              f"<Expiration>{expiration}</Expiration></Credentials>"
                              f"<AssumedRoleUser><AssumedRoleId>{xml_escape(new['userId'])}</AssumedRoleId>"
                              f"<Arn>{xml_escape(new['arn'])}</Arn></AssumedRoleUser>")


def make_fleet_handler(fleet):
    Base = make_handler(None)

    class FleetHandler(Base):
        def do_GET(self):
            self.body()
            if self.path == "/__sim/stats":
                return self.reply(200, fleet.stats(), "application/json")
            self.reply(404, {"message": "not found"}, "application/json")

        def do_PUT(self):
            data = self.body()
            path = self.path.partition("?")[0]
            job_id = path.rsplit("/", 1)[1]
            owner = next((sim for sim, *_ in fleet.pools.values() if job_id in sim.jobs), None)
            if not path.startswith("/__sim/import/") or owner is None:
                return self.reply(404, b"no such import job", "text/plain")
            if self.headers.get("x-amz-server-side-encryption") != "aws:kms":
                return self.reply(403, b"<Error><Code>AccessDenied</Code><Message>x-amz-server-side-encryption: aws:kms is required"
                                       b"</Message></Error>", "application/xml")
            status, answer = owner.upload(job_id, data)
            self.reply(status, answer, "application/xml" if status == 403 else "text/plain")

        def authenticate(self, body):
            """(identity, region) of the signed request, or raises ServiceError."""
            auth = parse_authorization(self)
            if isinstance(auth, ServiceError):
                raise auth
            ident = fleet.identity(auth[0])
            if ident is None or (ident["token"] is not None and self.headers.get("X-Amz-Security-Token") != ident["token"]):
                raise ServiceError("UnrecognizedClientException", "The security token included in the request is invalid.")
            if ident["expires"] is not None and time.time() >= ident["expires"]:
                raise ServiceError("ExpiredTokenException", "The security token included in the request is expired")
            bad = verify_signature(self, body, auth, ident["secret"])
            if bad:
                raise bad
            return ident, auth[2]

        def do_POST(self):
            body = self.body()
            if self.path == "/__sim/reset":
                fleet.reset()
                return self.reply(200, {}, "application/json")
            target = self.headers.get("X-Amz-Target", "")
            snap = (self.headers.get("User-Agent") or "").startswith("snap")
            if not target:
                return self.sts(body, snap)
            op = target.rpartition(".")[2]
            try:
                ident, region = self.authenticate(body)
                lane = fleet.lane(ident["account"], region)
                handler = getattr(Simulator, op, None) if op[:1].isupper() and op in OPERATIONS else None
                if handler is None:
                    raise ServiceError("UnknownOperationException", f"Unknown operation {target}")
                if self.args.model_check and snap:
                    violations = model_check.check(self.headers, body)
                    if violations:
                        lane.counts.count(op, "modelViolations")
                        raise ServiceError("SnapModelViolation", "the request breaks the AWS service model: " + "; ".join(violations))
                try:
                    request = json.loads(body or b"{}")
                except ValueError:
                    raise ServiceError("SerializationException", "The request body is not JSON.")
                if op == "ListUserPools":
                    return self.list_user_pools(lane, request)
                pool_id = request.get("UserPoolId")
                found = fleet.pools.get(pool_id) if isinstance(pool_id, str) else None
                if found is None or found[1] != ident["account"] or found[2] != region:
                    # What Cognito answers for a pool of another account or region: it does not exist there.
                    lane.counts.count(op, "count")
                    lane.counts.count(op, "errors")
                    raise ServiceError("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
                sim, aid, _, denied = found
                if denied:
                    # Wording copied from AWS's IAM troubleshooting docs ("Troubleshooting access denied error
                    # messages": "User: ARN is not authorized to perform: ACTION on resource: ARN because no
                    # identity-based policy allows the ACTION action").
                    lane.counts.count(op, "count")
                    lane.counts.count(op, "errors")
                    sim.count(op, "errors")
                    raise ServiceError(
                        "AccessDeniedException",
                        f"User: {ident['arn']} is not authorized to perform: cognito-idp:{op} on resource: "
                        f"arn:aws:cognito-idp:{region}:{aid}:userpool/{pool_id} because no identity-based policy "
                        f"allows the cognito-idp:{op} action")
                self.serve_pool(sim, lane, op, handler, request, snap)
            except ServiceError as e:
                self.reply(e.status, {"__type": e.code, "message": e.message}, error=e.code)

        @property
        def args(self):
            return fleet.args

        def list_user_pools(self, lane, request):
            lane.counts.count("ListUserPools", "count")
            if self.args.rtt_ms:
                time.sleep(self.args.rtt_ms / 1000.0 / self.args.time_scale)
            if not self.args.no_quota and not lane.buckets["UserPoolRead"].take():
                lane.counts.count("ListUserPools", "throttled")
                raise ServiceError("TooManyRequestsException", "Rate exceeded")
            try:
                out = list_user_pools(request, [sim.pool for sim in lane.sims])
            except ServiceError:
                lane.counts.count("ListUserPools", "refused")
                raise
            self.reply(200, out)

        def serve_pool(self, sim, lane, op, handler, request, snap):
            """As the single-pool simulator serves its pool, counting in the pool's and the lane's stats."""
            def count(what):
                sim.count(op, what)
                lane.counts.count(op, what)
            if self.args.model_check and snap:
                refusal = rules.check(op, request, rules.Context("cognito-idp", sim.pool_settings))
                if refusal is not None:
                    count("ruleRefusals")
                    raise ServiceError(refusal.code, refusal.message, refusal.status)
            ruled = sim.rule_answer(op, request, snap)
            if ruled is not None:
                lane.counts.count(op, "throttled" if ruled.code == "TooManyRequestsException" else "internalErrors")
                raise ruled
            count("count")
            if sim.rtt:
                time.sleep(sim.rtt)
            try:
                sim.admit(op)
            except ServiceError:
                count("throttled")
                raise
            try:
                out = handler(sim, request)
            except ServiceError as e:
                count("refused" if e.code == "InvalidParameterException" else "errors")
                raise
            self.reply(200, out)

        def sts(self, body, snap):
            try:
                ident, _ = self.authenticate(body)
            except ServiceError as e:
                # STS's own codes for what Cognito calls UnrecognizedClient, InvalidSignature, ExpiredToken.
                code, status = {"UnrecognizedClientException": ("InvalidClientTokenId", 403),
                                "InvalidSignatureException": ("SignatureDoesNotMatch", 403),
                                "ExpiredTokenException": ("ExpiredToken", 400)}.get(e.code, (e.code, 400))
                status, xml = sts_error(code, e.message, status)
                return self.reply(status, xml.encode(), "text/xml")
            if self.args.model_check and snap:
                violations = model_check.check(self.headers, body)
                if violations:
                    status, xml = sts_error("SnapModelViolation", "the request breaks the AWS service model: "
                                            + "; ".join(violations))
                    return self.reply(status, xml.encode(), "text/xml")
            status, xml = sts(fleet, ident, body.decode("utf-8", errors="replace"))
            self.reply(status, xml.encode(), "text/xml")

    return FleetHandler


OPERATIONS = {"DescribeUserPool", "GetUserPoolMfaConfig", "ListUserPoolClients", "ListIdentityProviders", "ListResourceServers",
              "DescribeRiskConfiguration", "GetUICustomization", "DescribeManagedLoginBrandingByClient",
              "GetLogDeliveryConfiguration", "ListTerms",
              "ListUsers", "ListGroups", "ListUsersInGroup", "AdminGetUser", "AdminCreateUser",
              "AdminSetUserPassword", "AdminDisableUser", "AdminAddUserToGroup", "CreateGroup", "GetCSVHeader",
              "AdminSetUserMFAPreference",
              "CreateUserImportJob", "StartUserImportJob", "DescribeUserImportJob", "ListUserImportJobs",
              "ListUserPools"}


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=100_000, help="synthetic users (up to 40,000,000)")
    p.add_argument("--groups", type=int, default=25, help="synthetic groups")
    p.add_argument("--pool-id", default="us-east-1_SimScale1")
    p.add_argument("--access-key", default="AKIDSIMULATOR")
    p.add_argument("--secret-key", default="simulator-secret")
    p.add_argument("--time-scale", type=float, default=1.0, help="K: quotas x K; token life, round trip, storm / K")
    p.add_argument("--token-life", type=float, default=3600.0, help="seconds a scan's pagination tokens live")
    p.add_argument("--rtt-ms", type=float, default=0.0, help="round trip of every request, ms")
    p.add_argument("--neighbour", type=float, default=0.0, help="share of UserList another client spends")
    p.add_argument("--storm", help="AFTER:FOR seconds from the first UserList request: throttle every UserList request in that window")
    p.add_argument("--no-quota", action="store_true", help="no token buckets")
    p.add_argument("--hostile", action="store_true", help="give users nicknames a CSV mangles (commas, quotes, newlines, =)")
    p.add_argument("--import-delay", type=float, default=10.0, help="seconds an import job stays Pending after Start")
    p.add_argument("--import-rate", type=float, default=0.0, help="users an import job creates per second (0: at once)")
    p.add_argument("--short-page-share", type=float, default=0.3,
                   help="share of pages (not the last) that hold fewer than Limit items (rule short-pages)")
    p.add_argument("--short-page-seed", default="snap", help="seed of which pages are short")
    p.add_argument("--mfa-configuration", choices=["OFF", "ON", "OPTIONAL"], default="OFF",
                   help="the pool's MfaConfiguration (ON: an import row needs cognito:mfa_enabled true)")
    p.add_argument("--padded", action="store_true",
                   help="give 1 user in 13 a middle_name with leading and trailing spaces (an import job trims them)")
    p.add_argument("--refuse-tokens", type=int, default=0, metavar="N",
                   help="refuse the first N requests that carry a pagination token, whatever its age")
    p.add_argument("--refuse-uploads", type=int, default=0, metavar="N",
                   help="refuse the first N CSV uploads (HTTP 403 AccessDenied)")
    p.add_argument("--import-end", metavar="STATUS[:ROWS]",
                   help="the next import job started ends Failed, Stopped or Expired after ROWS rows (default: half; "
                        "Expired: none)")
    p.add_argument("--foreign-job", type=float, default=0.0, metavar="SECONDS",
                   help="someone else's import job, InProgress for SECONDS from the first CreateUserImportJob")
    p.add_argument("--mfa", action="store_true", help="give synthetic users MFA settings (AdminGetUser reports them)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--fleet", metavar="FLEET.json",
                   help="serve the accounts and pools of this file (see the module docstring); --users, --groups, "
                        "--mfa, --hostile, --padded and --mfa-configuration are then the pools' defaults and "
                        "--pool-id, --access-key, --secret-key are unused")
    p.add_argument("--no-model-check", dest="model_check", action="store_false",
                   help="do not hold snap's requests to the AWS service model (model_check.py) nor to the documented "
                        "rules (scripts/rules/); both on by default")
    p.add_argument("--rule-off", action="append", default=[], metavar="NAME", help="switch one documented rule off")
    p.add_argument("--internal-error-rate", type=float, default=0.01, metavar="SHARE",
                   help="share of snap's requests the internal-errors rule answers 500 InternalErrorException")
    args = p.parse_args()
    rules.load(args.rule_off)
    if not 0 <= args.users <= 40_000_000:
        p.error("--users must be between 0 and 40,000,000")
    if not 0 <= args.neighbour < 1:
        p.error("--neighbour must be in [0, 1)")
    if args.fleet:
        return serve_fleet(args, p)
    sim = Simulator(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(sim))
    server.daemon_threads = True
    server.request_queue_size = 256
    sim.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    if args.neighbour:
        threading.Thread(target=sim.neighbour, daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"endpoint": sim.endpoint, "accessKeyId": args.access_key, "secretAccessKey": args.secret_key,
                      "userPoolId": args.pool_id, "region": sim.region}), flush=True)
    parent = os.getppid()
    try:
        while os.getppid() == parent:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    server.shutdown()


def serve_fleet(args, p):
    try:
        with open(args.fleet) as f:
            fleet = Fleet(json.load(f), args)
    except (OSError, ValueError, KeyError, TypeError) as e:
        p.error(f"--fleet {args.fleet}: {e!r}")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_fleet_handler(fleet))
    server.daemon_threads = True
    server.request_queue_size = 1024
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    for sim, *_ in fleet.pools.values():
        sim.endpoint = endpoint
    if args.neighbour:
        for lane in list(fleet.lanes.values()):
            if lane.sims:  # the neighbour spends the lane's budget; its spend shows in the lane's first pool's stats
                threading.Thread(target=lane.sims[0].neighbour, daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"endpoint": endpoint,
                      "accounts": [{"id": aid, "accessKeyId": a["accessKey"], "secretAccessKey": a["secretKey"]}
                                   for aid, a in fleet.accounts.items()],
                      "pools": sorted(fleet.pools)}), flush=True)
    parent = os.getppid()
    try:
        while os.getppid() == parent:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
