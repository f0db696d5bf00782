"""Documented rules that the AWS service models cannot express (issue 20).

The models (model_check.py) say which members an operation takes and what
each may hold. Many refusals live only in prose: the API reference and the
developer guide. Each such rule is one module in this folder, and each
module names its source, the page and the sentence, so a reader can check
it against AWS's own words:

  NAME     short, kebab-case; what --rule-off takes and TESTING.md lists
  SOURCE   "Page title (URL): the sentence"
  check(op, params, ctx) -> Refusal or None
           op: the operation ("CreateUserPool", "PutObject"); params: the
           request's JSON body (Cognito) or {"headers", "query", "path"}
           (S3); ctx: a Context (below).

A rule refuses the way AWS does: the status, the error code and a message
in AWS's words where AWS's words are on record. Both aws_proxy.py (in front
of moto) and cognito_sim.py run every rule on every request snap sends
(User-Agent "snap"), strict by default; --rule-off NAME switches one off.
"""
import importlib
import os
import pkgutil
from dataclasses import dataclass


@dataclass
class Refusal:
    status: int
    code: str
    message: str
    headers: tuple = ()  # (name, value) pairs the answer carries, e.g. S3's x-amz-bucket-region


class Context:
    """What a rule may ask about the world beyond its request.

    pool(pool_id) -> DescribeUserPool's UserPool object, or None when it is
    unknown. The proxy asks moto for it; the simulator answers from its own
    pool. service: "cognito-idp", "s3", "sts", "sns" or "kms".
    bucket_region(name) -> the S3 bucket's region, or None when unknown (the
    proxy asks moto's GetBucketLocation).
    usernames(pool_id) -> the pool's usernames, or None when unknown (the
    proxy lists them from moto).
    """

    def __init__(self, service, pool=None, bucket_region=None, usernames=None):
        self.service = service
        self._pool = pool or (lambda _id: None)
        self._bucket_region = bucket_region or (lambda _name: None)
        self._usernames = usernames or (lambda _id: None)

    def usernames(self, pool_id):
        return self._usernames(pool_id) if pool_id else None

    def pool(self, pool_id):
        return self._pool(pool_id) if pool_id else None

    def bucket_region(self, name):
        return self._bucket_region(name) if name else None


_rules = []


def load(off=()):
    """Loads every rule in this folder but those named in off; returns their names.
    An unknown name in off is an error, so a typo never leaves a rule on."""
    here = os.path.dirname(os.path.abspath(__file__))
    found = []
    for info in _modules(here):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for attr in ("NAME", "SOURCE", "check"):
            if not hasattr(module, attr):
                raise SystemExit(f"scripts/rules/{info.name}.py: no {attr}; every rule names itself, its source and its check")
        found.append(module)
    names = {m.NAME for m in found}
    unknown = sorted(set(off) - names)
    if unknown:
        raise SystemExit(f"--rule-off {', '.join(unknown)}: no such rule (rules: {', '.join(sorted(names))})")
    _rules[:] = [m for m in found if m.NAME not in set(off)]
    return [m.NAME for m in _rules]


def enabled(name):
    """Whether the rule NAME is loaded (on). For rules that shape answers (short
    pages, 500s) rather than refuse requests: the simulator or proxy asks this."""
    if _all_names is None:  # the folder's rules, listed once: the simulator asks this per request
        globals()["_all_names"] = frozenset(m.NAME for m in _all())
    if name not in _all_names:
        raise KeyError(f"no rule named {name!r} in scripts/rules/")
    return any(m.NAME == name for m in _rules)


_all_names = None


def _all():
    here = os.path.dirname(os.path.abspath(__file__))
    return [importlib.import_module(f"{__name__}.{i.name}") for i in _modules(here)]


def _modules(here):
    """The rule modules of this folder: every module but __main__ (python3 -m rules)."""
    return [i for i in sorted(pkgutil.iter_modules([here]), key=lambda i: i.name) if not i.name.startswith("_")]


def catalogue():
    """(NAME, SOURCE) of every rule in this folder, loaded or not."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = []
    for info in _modules(here):
        module = importlib.import_module(f"{__name__}.{info.name}")
        out.append((module.NAME, module.SOURCE))
    return out


def check(op, params, ctx):
    """The first loaded rule's refusal of this request, or None; names the rule in the message."""
    for rule in _rules:
        services = getattr(rule, "SERVICES", ("cognito-idp",))
        if ctx.service not in services:
            continue
        refusal = rule.check(op, params, ctx)
        if refusal is not None:
            refusal.message = f"{refusal.message} [rule {rule.NAME}]"
            return refusal
    return None
