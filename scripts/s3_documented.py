"""S3 as AWS documents it where moto differs (issue 20, items 5 and 6). Test support only.

aws_proxy.py uses this for three things moto does not do:
  * bucket_region(name): a bucket's region, from moto's GetBucketLocation,
    for the rule s3-wrong-region (rules.Context.bucket_region);
  * lock_headers_for(access_key_id): HeadObject and GetObject report an
    object's Object Lock mode, date and legal hold only to a caller that
    holds s3:GetObjectRetention (s3:GetObjectLegalHold); the rule
    s3-object-lock-headers-need-permission; moto shows them to everyone;
  * get_object_retention(...): moto 5 has no GetObjectRetention (it answers
    GET ?retention as a GetObject, checked against s3:GetObject); served
    here, checked against s3:GetObjectRetention in the caller's IAM policies
    (evaluated with moto's own policy code), rule s3-get-object-retention.

An admin key (moto.py's first user) reads what the caller may not: the
bucket's location, the object's lock headers, the caller's policies.
"""
import json
import os
import sys
import threading
import time

import boto3
import botocore


def _moto_policy_classes():
    """moto's IAM policy evaluator; scripts/moto.py, beside this file, would shadow the package."""
    here = os.path.dirname(os.path.abspath(__file__))
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    try:
        from moto.iam.access_control import IAMPolicy, PermissionResult
    finally:
        sys.path[:] = saved
    return IAMPolicy, PermissionResult


IAMPolicy, PermissionResult = _moto_policy_classes()


class S3Documented:
    def __init__(self, upstream, admin_key):
        self.upstream = upstream
        self.key_id, self.secret = admin_key.split(":", 1)
        self.lock = threading.Lock()
        self.regions = {}
        self.policies = {}
        self._clients = {}

    def client(self, service):
        with self.lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(
                    service, endpoint_url=self.upstream, region_name="us-east-1", aws_access_key_id=self.key_id,
                    aws_secret_access_key=self.secret, config=botocore.config.Config(retries={"max_attempts": 1}))
            return self._clients[service]

    def bucket_region(self, name):
        """The bucket's region, or None when there is no such bucket (cached 5 s)."""
        now = time.time()
        with self.lock:
            hit = self.regions.get(name)
            if hit and now - hit[0] < 5:
                return hit[1]
        try:
            region = self.client("s3").get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
        except botocore.exceptions.ClientError:
            region = None
        with self.lock:
            self.regions[name] = (now, region)
        return region

    def allowed(self, access_key_id, action, resource):
        """Whether the IAM user owning access_key_id may do action on resource, by its
        inline, attached and group policies, as moto evaluates them (cached 2 s)."""
        if access_key_id is None:
            return False
        if access_key_id == self.key_id:
            return True
        now = time.time()
        with self.lock:
            hit = self.policies.get(access_key_id)
        if hit and now - hit[0] < 2:
            docs = hit[1]
        else:
            docs = self._policies(access_key_id)
            with self.lock:
                self.policies[access_key_id] = (now, docs)
        permitted = False
        for doc in docs:
            result = IAMPolicy(doc).is_action_permitted(action, resource)
            if result == PermissionResult.DENIED:
                return False
            permitted = permitted or result == PermissionResult.PERMITTED
        return permitted

    def _policies(self, access_key_id):
        iam = self.client("iam")
        try:
            user = iam.get_access_key_last_used(AccessKeyId=access_key_id)["UserName"]
        except (botocore.exceptions.ClientError, KeyError):
            return []
        docs = []

        def attached(listing):
            for p in listing:
                policy = iam.get_policy(PolicyArn=p["PolicyArn"])["Policy"]
                version = iam.get_policy_version(PolicyArn=p["PolicyArn"], VersionId=policy["DefaultVersionId"])
                docs.append(json.dumps(version["PolicyVersion"]["Document"]))

        for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
            docs.append(json.dumps(iam.get_user_policy(UserName=user, PolicyName=name)["PolicyDocument"]))
        attached(iam.list_attached_user_policies(UserName=user)["AttachedPolicies"])
        for group in iam.list_groups_for_user(UserName=user)["Groups"]:
            g = group["GroupName"]
            for name in iam.list_group_policies(GroupName=g)["PolicyNames"]:
                docs.append(json.dumps(iam.get_group_policy(GroupName=g, PolicyName=name)["PolicyDocument"]))
            attached(iam.list_attached_group_policies(GroupName=g)["AttachedPolicies"])
        return docs

    def strip_lock_headers(self, headers, access_key_id, bucket, key):
        """headers ([(name, value)]) of a HeadObject/GetObject answer without the Object
        Lock headers this caller may not see."""
        arn = f"arn:aws:s3:::{bucket}/{key}"
        hidden = set()
        names = {k.lower() for k, _ in headers}
        if names & {"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date"} and not self.allowed(
                access_key_id, "s3:GetObjectRetention", arn):
            hidden |= {"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date"}
        if "x-amz-object-lock-legal-hold" in names and not self.allowed(access_key_id, "s3:GetObjectLegalHold", arn):
            hidden.add("x-amz-object-lock-legal-hold")
        return [(k, v) for k, v in headers if k.lower() not in hidden]

    def get_object_retention(self, access_key_id, bucket, key, version_id):
        """GetObjectRetention's answer: (status, code or None, body or message)."""
        if not self.allowed(access_key_id, "s3:GetObjectRetention", f"arn:aws:s3:::{bucket}/{key}"):
            return 403, "AccessDenied", "Access Denied"
        s3 = self.client("s3")
        try:
            config = s3.get_object_lock_configuration(Bucket=bucket).get("ObjectLockConfiguration", {})
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] == "NoSuchBucket":
                return 404, "NoSuchBucket", "The specified bucket does not exist"
            config = {}
        if config.get("ObjectLockEnabled") != "Enabled":
            return 400, "InvalidRequest", "Bucket is missing Object Lock Configuration"
        try:
            head = s3.head_object(Bucket=bucket, Key=key, **({"VersionId": version_id} if version_id else {}))
        except botocore.exceptions.ClientError as e:
            if e.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                return 404, "NoSuchKey", "The specified key does not exist."
            raise
        mode, until = head.get("ObjectLockMode"), head.get("ObjectLockRetainUntilDate")
        if not mode or not until:
            return 404, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration"
        body = ('<?xml version="1.0" encoding="UTF-8"?><Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<Mode>{mode}</Mode><RetainUntilDate>{until.strftime('%Y-%m-%dT%H:%M:%S.000Z')}</RetainUntilDate></Retention>")
        return 200, None, body
