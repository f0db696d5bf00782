"""Checks a request snap sent against the AWS service model of its operation.

The published models (botocore's JSON, the same files the AWS SDKs and CLI
are generated from) say what each operation takes: its members, which are
required, their types, enums, lengths, ranges and patterns. moto accepts
much that Cognito refuses; aws_proxy.py --model-check runs this on every
request snap sends (User-Agent "snap"), so a test whose snap sends a request
the model refuses fails, with the operation and the member named
(issue 20).

Covered: the AWS JSON 1.1 services snap calls (Cognito user pools, KMS),
whose operation is in X-Amz-Target and whose input is the JSON body. S3 and
the query-protocol services (STS, SNS) are not checked here yet.

  check(headers, body) -> list of violations ("ListUsers: Limit: 100 is more than 60")
"""
import json

import botocore.session

try:
    import regex as _re  # \\p{L} and the other Unicode classes the models use
except ImportError:  # pragma: no cover - setup.sh installs it
    _re = None

TARGETS = {"AWSCognitoIdentityProviderService": "cognito-idp", "TrentService": "kms"}
_session = botocore.session.get_session()
_models = {}
_patterns = {}


def _model(service):
    if service not in _models:
        _models[service] = _session.get_service_model(service)
    return _models[service]


def _pattern(p):
    if p not in _patterns:
        # The models' patterns are Java regexes matched against the whole value.
        _patterns[p] = _re.compile(p) if _re else None
    return _patterns[p]


def _check(shape, value, where, out):
    t = shape.type_name
    meta = shape.metadata
    if t == "structure":
        if not isinstance(value, dict):
            out.append(f"{where}: expected an object, got {type(value).__name__}")
            return
        for name in shape.required_members:
            if name not in value:
                out.append(f"{where + '.' if where else ''}{name}: required, missing")
        for name, v in value.items():
            member = shape.members.get(name)
            if member is None:
                out.append(f"{where + '.' if where else ''}{name}: not a member (one of {', '.join(shape.members)})")
                continue
            _check(member, v, f"{where + '.' if where else ''}{name}", out)
        return
    if t == "list":
        if not isinstance(value, list):
            out.append(f"{where}: expected a list, got {type(value).__name__}")
            return
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{where}: {len(value)} items, fewer than {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{where}: {len(value)} items, more than {meta['max']}")
        for i, v in enumerate(value):
            _check(shape.member, v, f"{where}[{i}]", out)
        return
    if t == "map":
        if not isinstance(value, dict):
            out.append(f"{where}: expected a map, got {type(value).__name__}")
            return
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{where}: {len(value)} entries, more than {meta['max']}")
        for k, v in value.items():
            _check(shape.key, k, f"{where} key {k!r}", out)
            _check(shape.value, v, f"{where}[{k!r}]", out)
        return
    if t == "string":
        if not isinstance(value, str):
            out.append(f"{where}: expected a string, got {type(value).__name__}")
            return
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{where}: {len(value)} characters, fewer than {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{where}: {len(value)} characters, more than {meta['max']}")
        if shape.enum and value not in shape.enum:
            out.append(f"{where}: {value!r} is not one of {', '.join(shape.enum)}")
        p = meta.get("pattern")
        if p and _pattern(p) is not None and not _pattern(p).fullmatch(value):
            shown = value if not meta.get("sensitive") else "(sensitive)"
            out.append(f"{where}: {shown!r} does not match the pattern {p}")
        return
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(f"{where}: expected an integer, got {type(value).__name__}")
            return
        if "min" in meta and value < meta["min"]:
            out.append(f"{where}: {value} is less than {meta['min']}")
        if "max" in meta and value > meta["max"]:
            out.append(f"{where}: {value} is more than {meta['max']}")
        return
    if t == "boolean":
        if not isinstance(value, bool):
            out.append(f"{where}: expected a boolean, got {type(value).__name__}")
        return
    if t in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out.append(f"{where}: expected a number, got {type(value).__name__}")
        return
    if t == "blob":
        if not isinstance(value, str):
            out.append(f"{where}: expected base64 text, got {type(value).__name__}")
        return
    if t == "timestamp":
        if not isinstance(value, (int, float, str)):
            out.append(f"{where}: expected a timestamp, got {type(value).__name__}")


def check(headers, body):
    """Violations of the model by this JSON 1.1 request; [] when it keeps to it (or is not covered)."""
    target = headers.get("X-Amz-Target", "")
    prefix, _, operation = target.partition(".")
    service = TARGETS.get(prefix)
    if not service:
        return []
    model = _model(service)
    try:
        op = model.operation_model(operation)
    except Exception:
        return [f"{operation}: not an operation of {service}"]
    try:
        params = json.loads(body or b"{}")
    except ValueError as e:
        return [f"{operation}: the body is not JSON ({e})"]
    out = []
    if op.input_shape is not None:
        _check(op.input_shape, params, "", out)
    return [f"{operation}: {v}" for v in out]
