#!/usr/bin/env python3
"""Write the test-only variant of deploy/cloudformation/snap.yaml that moto's CloudFormation can deploy.

moto 5.2 creates only the resource types it models; any other type it skips with a Python
warning and no error, so a stack would "succeed" without it. This script removes those types on
purpose, names each on stderr with the reason, and fails (naming it) when:
  - a type of the template is neither created by moto nor on the list below (a new resource: decide
    whether moto can deploy it, then add it here with the reason), or
  - a kept resource or output still refers to a removed one (Ref, Fn::GetAtt, ${Name} in Fn::Sub,
    DependsOn).

  cfn_moto_variant.py TEMPLATE OUT.json [--assumable-by ROLE=PRINCIPAL_ARN ...]
                                          # prints the removed logical ids, one a line, on stdout

--assumable-by ROLE=ARN replaces that IAM role's trust policy with one letting ARN (the test's IAM
user) assume it: moto's STS stands in for ECS. moto checks trust policies, but 5.2.1 fails with
HTTP 500 on a statement whose Principal is a Service (access_control.py _check_principal reads
Principal["AWS"] only), and it matches AWS principals by their exact ARN, not by account.
"""
import json
import os
import re
import sys

# scripts/moto.py would shadow the moto package.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]
import yaml  # noqa: E402

# What moto 5.2.1 has no CloudFormation model for (moto.cloudformation.parsing.resource_class_from_type
# returns None; its CLOUDFORMATION_COVERAGE.md does not list them). The real deployment needs each.
UNSUPPORTED = {
    "AWS::S3::BucketPolicy": "moto has no CloudFormation model for bucket policies (the TLS-only Deny)",
    "AWS::Scheduler::Schedule": "moto has no CloudFormation model for EventBridge Scheduler",
    "AWS::Scheduler::ScheduleGroup": "moto has no CloudFormation model for EventBridge Scheduler",
    "AWS::CloudWatch::Alarm": "moto's CloudFormation models CloudWatch dashboards only, not alarms",
    "AWS::SNS::Subscription": "moto has no CloudFormation model for SNS subscriptions",
    "AWS::SNS::TopicPolicy": "moto has no CloudFormation model for SNS topic policies",
}


def moto_creates(resource_type):
    import warnings
    warnings.simplefilter("ignore")
    from moto.cloudformation.parsing import resource_class_from_type
    return resource_class_from_type(resource_type) is not None


def refs(node):
    """Every logical id a template fragment refers to."""
    out = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "Ref" and isinstance(v, str):
                out.add(v)
            elif k == "Fn::GetAtt":
                out.add(v[0] if isinstance(v, list) else v.split(".")[0])
            elif k == "Fn::Sub":
                text = v if isinstance(v, str) else v[0]
                out.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text))
            out |= refs(v)
    elif isinstance(node, list):
        for v in node:
            out |= refs(v)
    return out


def main():
    args = sys.argv[1:]
    assume = []
    while "--assumable-by" in args:
        i = args.index("--assumable-by")
        if i + 1 >= len(args) or "=" not in args[i + 1]:
            sys.exit("cfn_moto_variant.py: --assumable-by takes ROLE=PRINCIPAL_ARN, e.g. TaskRole=arn:aws:iam::123456789012:user/snap")
        assume.append(args[i + 1].split("=", 1))
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit("usage: cfn_moto_variant.py TEMPLATE OUT.json [--assumable-by ROLE=PRINCIPAL_ARN ...]")
    src, dst = args
    try:
        with open(src, encoding="utf-8") as f:
            template = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        sys.exit(f"cfn_moto_variant.py: cannot read {src}: {e} (it must use long-form intrinsics, Fn::Sub not !Sub)")
    resources = template["Resources"]
    removed = {}
    unknown = []
    for name, res in resources.items():
        t = res["Type"]
        if t in UNSUPPORTED:
            removed[name] = t
        elif not moto_creates(t):
            unknown.append(f"{name} ({t})")
    if unknown:
        sys.exit("cfn_moto_variant.py: moto would silently skip " + ", ".join(unknown)
                 + f": add each type to UNSUPPORTED in {__file__} with the reason, or drop it from {src}")
    for name in removed:
        del resources[name]
    dangling = []
    for name, res in resources.items():
        deps = res.get("DependsOn", [])
        deps = [deps] if isinstance(deps, str) else deps
        for r in (refs(res) | set(deps)) & removed.keys():
            dangling.append(f"resource {name} -> {r}")
    for name, out in template.get("Outputs", {}).items():
        for r in refs(out) & removed.keys():
            dangling.append(f"output {name} -> {r}")
    if dangling:
        sys.exit("cfn_moto_variant.py: kept parts refer to removed resources: " + "; ".join(dangling)
                 + f": make them independent of those in {src}, or stop removing them")
    for role, principal in assume:
        if resources.get(role, {}).get("Type") != "AWS::IAM::Role":
            sys.exit(f"cfn_moto_variant.py: --assumable-by {role}=...: {src} has no AWS::IAM::Role of that name")
        resources[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"] = [{
            "Sid": "TestOnly", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}]
    # moto does not evaluate a template's Rules (CloudFormation does, before creating anything).
    template.pop("Rules", None)
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(template, f, indent=1)
    for name, t in sorted(removed.items()):
        print(f"{name}\t{t}\t{UNSUPPORTED[t]}")


if __name__ == "__main__":
    main()
