"""Checks a request snap sent against the AWS service model of its operation.

The published models (botocore's JSON, the same files the AWS SDKs and CLI
are generated from) say what each operation takes: its members, which are
required, their types, enums, lengths, ranges and patterns. moto accepts
much that Cognito refuses; aws_proxy.py --model-check runs this on every
request snap sends (User-Agent "snap"), so a test whose snap sends a request
the model refuses fails, with the operation and the member named
(issue 20).

Covered, every service snap calls:
  * AWS JSON 1.1 (Cognito user pools, KMS): the operation is in X-Amz-Target,
    the input is the JSON body.
  * S3 (REST-XML): the operation is found from the method, the path
    (path-style /BUCKET/KEY, or virtual-hosted BUCKET.s3... hosts) and the
    query, against each operation's http.method and http.requestUri; then
    the members the model places in the uri, in headers and in the query
    string are checked (required, types, enums, lengths, patterns). An
    x-amz-* header the operation does not name is a violation (SigV4's own
    headers excepted), and so is a query parameter it does not name. Bodies:
    only an XML payload's well-formedness and root element (DeleteObjects,
    CompleteMultipartUpload), and the Content-MD5 or x-amz-checksum-* header
    that an operation with requestChecksumRequired needs; the XML's members
    are not checked.
  * Query protocol (STS, SNS): the form-encoded POST body (Action, Version)
    is mapped onto the input shape (member.N lists, entry.N.key/value maps,
    nested A.B members) and checked the same way; a form key that maps onto
    no member is a violation.

  check(headers, body, method="POST", path="/") -> list of violations
      ("ListUsers: Limit: 100 is more than 60"); path includes the query.
"""
import json
import re
import xml.etree.ElementTree as ElementTree
from urllib.parse import parse_qsl, unquote, urlsplit

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
    if t == "structure" and getattr(shape, "is_document_type", False):
        return  # a document (e.g. CreateManagedLoginBranding's Settings): any JSON value, unconstrained by the model
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


# SigV4's own headers (and the streaming-upload ones): never members, never unknown.
SIGV4_HEADERS = {"x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "x-amz-user-agent",
                 "x-amz-decoded-content-length", "x-amz-trailer", "x-amz-target", "x-amz-api-version"}
QUERY_VERSIONS = {"2011-06-15": "sts", "2010-03-31": "sns"}
_MISSING = object()
_s3_index = {}


def check(headers, body, method="POST", path="/"):
    """Violations of the model by this request; [] when it keeps to it (or is not covered)."""
    h = {k.lower(): v for k, v in headers.items()}
    body = body or b""
    if h.get("x-amz-target"):
        return _check_json(h, body)
    service = _signed_service(h)
    form = _form(h, body, method)
    if service in ("sts", "sns") or (service is None and form is not None and "Action" in form):
        if form is None:
            return [f"{service}: a query-protocol request must be a form-encoded POST, got {method}"]
        service = service or QUERY_VERSIONS.get(form.get("Version", ""))
        if service not in ("sts", "sns"):
            return []
        return _check_query(service, form)
    if service in (None, "s3"):
        return _check_s3(h, body, method, path)
    return []


def _signed_service(h):
    m = re.search(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request", h.get("authorization", ""))
    return m.group(1) if m else None


def _form(h, body, method):
    if method != "POST" or not h.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None


def _check_json(h, body):
    target = h.get("x-amz-target", "")
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


# --- query protocol (STS, SNS) ------------------------------------------------

def _scalar(shape, text):
    t = shape.type_name
    if t in ("integer", "long") and re.fullmatch(r"-?\d+", text):
        return int(text)
    if t == "boolean" and text in ("true", "false"):
        return text == "true"
    if t in ("double", "float"):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _from_form(shape, prefix, form, used):
    """The value of shape at form key prefix ("" for the input itself), or _MISSING."""
    t = shape.type_name
    if t == "structure":
        out = {}
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            v = _from_form(member, f"{prefix}.{key}" if prefix else key, form, used)
            if v is not _MISSING:
                out[name] = v
        return out if out or not prefix else _MISSING
    if t == "list":
        if form.get(prefix) == "":  # an empty list is sent as "Name="
            used.add(prefix)
            return []
        name = shape.member.serialization.get("name", "member")
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.{name}"
        items, i = [], 1
        while True:
            v = _from_form(shape.member, f"{base}.{i}", form, used)
            if v is _MISSING:
                break
            items.append(v)
            i += 1
        return items if items else _MISSING
    if t == "map":
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        kn = shape.key.serialization.get("name", "key")
        vn = shape.value.serialization.get("name", "value")
        out, i = {}, 1
        while f"{base}.{i}.{kn}" in form:
            used.add(f"{base}.{i}.{kn}")
            v = _from_form(shape.value, f"{base}.{i}.{vn}", form, used)
            out[form[f"{base}.{i}.{kn}"]] = None if v is _MISSING else v
            i += 1
        return out if out else _MISSING
    if prefix in form:
        used.add(prefix)
        return _scalar(shape, form[prefix])
    return _MISSING


def _check_query(service, form):
    operation = form.get("Action", "")
    try:
        op = _model(service).operation_model(operation)
    except Exception:
        return [f"{operation or '(no Action)'}: not an operation of {service}"]
    out = []
    version = _model(service).metadata.get("apiVersion")
    if form.get("Version") != version:
        out.append(f"Version: {form.get('Version')!r}, {service} takes {version!r}")
    used = {"Action", "Version"}
    params = _from_form(op.input_shape, "", form, used) if op.input_shape is not None else {}
    for key in sorted(set(form) - used):
        out.append(f"{key}: not a member (the form key maps onto no member of {operation}'s input)")
    if op.input_shape is not None:
        _check(op.input_shape, params, "", out)
    # A member whose value is None came from a map entry without its value.
    return [f"{operation}: {v}" for v in out]


# --- S3 (REST-XML) --------------------------------------------------------------

def _s3_operations():
    if not _s3_index:
        model = _model("s3")
        for name in model.operation_names:
            op = model.operation_model(name)
            uri = op.http.get("requestUri", "/")
            upath, _, uquery = uri.partition("?")
            literals = {}
            for part in filter(None, uquery.split("&")):
                k, _, v = part.partition("=")
                literals[k] = v or None
            segments = [s for s in upath.split("/") if s]
            _s3_index.setdefault(op.http.get("method"), []).append((name, op, segments, literals))
    return _s3_index


def _s3_target(h, path):
    """(segments of the path with the bucket first, raw query pairs)."""
    parts = urlsplit(path)
    raw = parts.path
    host = h.get("host", "").split(":")[0]
    m = re.match(r"^(.+?)\.s3[.-]", host)
    if m and not re.fullmatch(r"[\d.]+", host):
        raw = "/" + m.group(1) + raw
    query = parse_qsl(parts.query, keep_blank_values=True)
    return raw, query


def _match(segments, raw):
    """The uri members of a template matched against a raw path, or None."""
    values = {}
    rest = raw.lstrip("/")
    for i, seg in enumerate(segments):
        if seg.startswith("{") and seg.endswith("+}"):
            if not rest:
                return None
            values[seg[1:-2]] = unquote(rest)
            rest = ""
            break
        head, sep, tail = rest.partition("/")
        if not head:
            return None
        if seg.startswith("{"):
            values[seg[1:-1]] = unquote(head)
        elif unquote(head) != seg:
            return None
        rest = tail
        if not sep and i < len(segments) - 1:
            rest = ""
    if rest.strip("/"):
        return None
    return values


def _locations(op):
    out = {"header": {}, "querystring": {}, "uri": {}, "headers": [], "payload": None}
    shape = op.input_shape
    if shape is None:
        return out
    for name, member in shape.members.items():
        loc = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if loc in ("header", "querystring", "uri"):
            out[loc][wire.lower() if loc == "header" else wire] = (name, member)
        elif loc == "headers":
            out["headers"].append((name, member, wire.lower()))
    payload = shape.serialization.get("payload")
    if payload:
        out["payload"] = (payload, shape.members[payload])
    return out


def _s3_operation(h, method, raw, query):
    best = None
    keys = {k for k, _ in query}
    for name, op, segments, literals in _s3_operations().get(method, []):
        uri = _match(segments, raw)
        if uri is None:
            continue
        if any(k not in keys or (v is not None and dict(query).get(k) != v) for k, v in literals.items()):
            continue
        loc = _locations(op)
        known = sum(1 for k in keys if k in loc["querystring"] or k in literals)
        required = set(op.input_shape.required_members) if op.input_shape is not None else set()
        present = missing = 0
        for wire, (member, _) in loc["header"].items():
            if member in required:
                present, missing = (present + 1, missing) if wire in h else (present, missing + 1)
        for wire, (member, _) in loc["querystring"].items():
            if member in required:
                present, missing = (present + 1, missing) if wire in keys else (present, missing + 1)
        score = (len(literals), known, present, -missing)
        if best is None or score > best[0]:
            best = (score, name, op, uri, literals)
    return best


def _check_s3(h, body, method, path):
    raw, query = _s3_target(h, path)
    found = _s3_operation(h, method, raw, query)
    if found is None:
        return [f"{method} {raw}: no S3 operation has this method and path"]
    _, name, op, uri, literals = found
    loc = _locations(op)
    required = set(op.input_shape.required_members) if op.input_shape is not None else set()
    out = []
    seen = set()
    for wire, value in uri.items():
        member, shape = loc["uri"][wire]
        seen.add(member)
        _check(shape, value, member, out)
    for wire, (member, shape) in loc["header"].items():
        if wire in h:
            seen.add(member)
            _check(shape, _typed(shape, h[wire]), f"{member} ({wire})", out)
    for member, shape, prefix in loc["headers"]:
        values = {k[len(prefix):]: v for k, v in h.items() if k.startswith(prefix)}
        if values:
            seen.add(member)
            _check(shape, values, f"{member} ({prefix}*)", out)
    grouped = {}
    for k, v in query:
        grouped.setdefault(k, []).append(v)
    for wire, values in grouped.items():
        if wire in literals or wire == "x-id" or wire.lower().startswith("x-amz-"):
            continue
        if wire not in loc["querystring"]:
            out.append(f"?{wire}: not a query parameter of {name} (one of {', '.join(loc['querystring']) or 'none'})")
            continue
        member, shape = loc["querystring"][wire]
        seen.add(member)
        value = values if shape.type_name == "list" else _typed(shape, values[-1])
        _check(shape, value, f"{member} (?{wire})", out)
    for member in sorted(required - seen):
        where = next((f"header {w}" for w, (m, _) in loc["header"].items() if m == member), None) \
            or next((f"query ?{w}" for w, (m, _) in loc["querystring"].items() if m == member), None)
        if where:
            out.append(f"{member} ({where}): required, missing")
    named = set(loc["header"]) | {p for _, _, p in loc["headers"]}
    for k in sorted(h):
        if k.startswith("x-amz-") and k not in SIGV4_HEADERS and k not in named \
                and not any(k.startswith(p) for _, _, p in loc["headers"]):
            out.append(f"{k}: not a header of {name}")
    if op.http_checksum.get("requestChecksumRequired") and "content-md5" not in h \
            and not any(k.startswith("x-amz-checksum-") for k in h):
        out.append("the operation requires a Content-MD5 or x-amz-checksum-* header (httpChecksum.requestChecksumRequired)")
    payload = loc["payload"]
    if payload and payload[1].type_name == "structure" and body:
        root = payload[1].serialization.get("name", payload[0])
        try:
            doc = ElementTree.fromstring(body)
            tag = doc.tag.rsplit("}", 1)[-1]
            if tag != root:
                out.append(f"{payload[0]}: the XML body's root is <{tag}>, not <{root}>")
        except ElementTree.ParseError as e:
            out.append(f"{payload[0]}: the XML body is not well-formed ({e})")
    return [f"{name}: {v}" for v in out]


def _typed(shape, text):
    """A header or query value as the model's type would read it (kept as text when it does not read)."""
    t = shape.type_name
    if t in ("integer", "long") and re.fullmatch(r"-?\d+", text.strip()):
        return int(text.strip())
    if t == "boolean" and text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    if t == "list":
        return [v.strip() for v in text.split(",")]
    return text
