"""GitHub's OpenAPI description as a request/response oracle for the stand-in.

The 13 MB `api.github.com.json` of @octokit/openapi is turned once (by the install step, or lazily
on first use) into a compact cache: `index.json` (every path template and its methods) plus one
file per operation holding its parameters, request body and response schemas, with the
components it needs copied in as `definitions` and OpenAPI's `nullable: true` mapped to JSON
Schema (`type: [T, "null"]`). Starting the stand-in then reads ~200 KB instead of 73 MB.

    python3 openapi.py build SPEC.json OUTDIR     # what scripts/install-test-tools.sh runs
"""
import hashlib
import json
import os
import re
import sys

CACHE_FORMAT = 3

# Response drift between GitHub's own schema and what a faithful answer looks like. One place,
# each with a reason. Keys: (operationId, JSON path prefix of the failing instance, or "*").
ALLOWED_RESPONSE_DRIFT = {
    # none needed so far: the stand-in builds its objects to the schema. Add entries like
    # ("pulls/create", "/requested_teams"): "spec example lacks `type` (forge.md §0.11)",
}


# ------------------------------------------------------------------------------------- building

def _convert(node, refs):
    """OpenAPI 3.0 schema -> JSON Schema draft 4 (+ 'null' types). Collects referenced names."""
    if isinstance(node, list):
        return [_convert(x, refs) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        refs.add(name)
        return {"$ref": "#/definitions/" + name}
    out = {}
    for k, v in node.items():
        if k in ("example", "examples", "description", "summary", "externalDocs", "discriminator",
                 "xml", "readOnly", "writeOnly", "deprecated", "title") or k.startswith("x-"):
            continue
        if k in ("properties", "patternProperties", "definitions"):
            out[k] = {pk: _convert(pv, refs) for pk, pv in v.items()}
        else:
            out[k] = _convert(v, refs)
    if out.pop("nullable", False):
        if "type" in out:
            t = out["type"]
            out["type"] = (t if isinstance(t, list) else [t]) + ["null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _resolve_param(p, spec):
    while "$ref" in p:
        p = spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]]
    return p


def _resolve_response(r, spec):
    while "$ref" in r:
        r = spec["components"]["responses"][r["$ref"].rsplit("/", 1)[-1]]
    return r


def template_regex(template, multi):
    out = "^"
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            out += "(?P<%s>.+)" % name.replace("-", "_") if name in multi else "(?P<%s>[^/]+)" % name.replace("-", "_")
        else:
            out += re.escape(part)
    return out + "$"


def build(spec_path, out_dir):
    with open(spec_path, "rb") as f:
        raw = f.read()
    spec = json.loads(raw)
    schemas = spec["components"]["schemas"]
    os.makedirs(os.path.join(out_dir, "ops"), exist_ok=True)
    converted = {}

    def closure(refs):
        defs, todo = {}, list(refs)
        while todo:
            n = todo.pop()
            if n in defs:
                continue
            if n not in converted:
                sub = set()
                converted[n] = (_convert(schemas[n], sub), sub)
            defs[n] = converted[n][0]
            todo.extend(converted[n][1] - set(defs))
        return defs

    index = {"format": CACHE_FORMAT, "source_sha256": hashlib.sha256(raw).hexdigest(),
             "version": spec.get("info", {}).get("version"), "paths": []}
    n = 0
    for template, item in spec["paths"].items():
        common = item.get("parameters", [])
        methods, multi = {}, set()
        for method, op in item.items():
            if method not in ("get", "put", "post", "patch", "delete", "head", "options"):
                continue
            refs = set()
            params = []
            for p in common + op.get("parameters", []):
                p = _resolve_param(p, spec)
                if p.get("x-multi-segment"):
                    multi.add(p["name"])
                params.append({"name": p["name"], "in": p["in"], "required": bool(p.get("required")),
                               "schema": _convert(p.get("schema", {}), refs)})
            body = None
            rb = op.get("requestBody")
            if rb:
                content = rb.get("content", {})
                js = content.get("application/json")
                body = {"required": bool(rb.get("required")),
                        "schema": _convert(js["schema"], refs) if js and "schema" in js else None,
                        "content_types": sorted(content)}
            responses = {}
            for code, r in op.get("responses", {}).items():
                r = _resolve_response(r, spec)
                js = r.get("content", {}).get("application/json")
                responses[code] = _convert(js["schema"], refs) if js and "schema" in js else None
            doc = op.get("externalDocs", {}).get("url", "https://docs.github.com/rest")
            opfile = "%04d.json" % n
            n += 1
            with open(os.path.join(out_dir, "ops", opfile), "w") as f:
                json.dump({"operationId": op.get("operationId"), "method": method.upper(),
                           "template": template, "params": params, "body": body,
                           "responses": responses, "documentation_url": doc,
                           "definitions": closure(refs)}, f, separators=(",", ":"))
            methods[method.upper()] = {"file": opfile, "operationId": op.get("operationId")}
        index["paths"].append({"template": template, "regex": template_regex(template, multi),
                               "literal": len(re.sub(r"\{[^}]+\}", "", template)),
                               "multi": bool(multi), "methods": methods})
    tmp = os.path.join(out_dir, "index.json.tmp")
    with open(tmp, "w") as f:
        json.dump(index, f, separators=(",", ":"))
    os.replace(tmp, os.path.join(out_dir, "index.json"))
    return index


# ------------------------------------------------------------------------------------ validating

class Operation:
    def __init__(self, data):
        from jsonschema import Draft4Validator
        self.data = data
        self.operation_id = data["operationId"]
        self.template = data["template"]
        self.documentation_url = data["documentation_url"]
        defs = data["definitions"]
        self._validators = {}
        self._v = Draft4Validator

        def mk(schema):
            if schema is None:
                return None
            s = dict(schema)
            s["definitions"] = defs
            return Draft4Validator(s)
        self._mk = mk
        self.params = data["params"]

    def validator(self, key, schema):
        if key not in self._validators:
            self._validators[key] = self._mk(schema)
        return self._validators[key]

    @staticmethod
    def _coerce(value, schema):
        t = schema.get("type")
        if isinstance(t, list):
            t = [x for x in t if x != "null"][0] if len(t) else None
        try:
            if t == "integer":
                return int(value)
            if t == "number":
                return float(value)
            if t == "boolean":
                return {"true": True, "false": False}.get(value, value)
            if t == "array":
                return value.split(",")
        except ValueError:
            pass
        return value

    def check_params(self, path_params, query):
        """Returns a list of problem strings. `query` is {name: [values]}."""
        problems = []
        known = set()
        for p in self.params:
            name, where = p["name"], p["in"]
            if where == "path":
                val = path_params.get(name.replace("-", "_"))
            elif where == "query":
                known.add(name)
                vals = query.get(name)
                if vals is None and name.endswith("[]"):
                    vals = query.get(name[:-2])
                val = vals[-1] if vals else None
            else:
                continue
            if val is None:
                if p["required"]:
                    problems.append("%s parameter %r is required" % (where, name))
                continue
            v = self.validator(("param", where, name), p["schema"])
            inst = self._coerce(val, p["schema"])
            for e in v.iter_errors(inst):
                problems.append("%s parameter %r: %s" % (where, name, e.message))
        for name in query:
            if name not in known and name + "[]" not in known:
                problems.append("query parameter %r is not documented for %s" % (name, self.operation_id))
        return problems

    def check_body(self, body_present, body):
        spec = self.data["body"]
        if spec is None:
            return []
        if not body_present:
            return ["request body is required"] if spec["required"] else []
        if spec["schema"] is None:
            return []
        v = self.validator(("body",), spec["schema"])
        return ["body%s: %s" % (_pointer(e.absolute_path), e.message) for e in v.iter_errors(body)]

    def check_response(self, status, body):
        schema = self.data["responses"].get(str(status))
        if schema is None:
            return []
        v = self.validator(("resp", status), schema)
        out = []
        if isinstance(body, list) and len(body) > 3:
            # items of one array are built by the same code: check the first two and the last
            body = [body[0], body[1], body[-1]]
        for e in v.iter_errors(body):
            ptr = _pointer(e.absolute_path)
            if any(op == self.operation_id and (pfx == "*" or ptr.startswith(pfx))
                   for (op, pfx) in ALLOWED_RESPONSE_DRIFT):
                continue
            out.append("response %s%s: %s" % (status, ptr, e.message[:300]))
        return out

    def documents_status(self, status):
        return str(status) in self.data["responses"]


def _pointer(path):
    return "".join("/" + str(p) for p in path)


class OpenAPI:
    def __init__(self, cache_dir):
        self.cache_dir = cache_dir
        with open(os.path.join(cache_dir, "index.json")) as f:
            self.index = json.load(f)
        if self.index.get("format") != CACHE_FORMAT:
            raise RuntimeError("stale OpenAPI cache in %s: rebuild it" % cache_dir)
        self.paths = sorted(self.index["paths"], key=lambda p: (p["multi"], -p["literal"]))
        for p in self.paths:
            p["re"] = re.compile(p["regex"])
        self._ops = {}

    def match(self, method, path):
        """(Operation or None, path params, error) where error is None, 'path' or 'method'."""
        path_hit = False
        for p in self.paths:
            m = p["re"].match(path)
            if not m:
                continue
            path_hit = True
            op = p["methods"].get(method)
            if op is None:
                continue
            return self._load(op["file"]), m.groupdict(), None
        return None, {}, ("method" if path_hit else "path")

    def _load(self, fname):
        if fname not in self._ops:
            with open(os.path.join(self.cache_dir, "ops", fname)) as f:
                self._ops[fname] = Operation(json.load(f))
        return self._ops[fname]


def ensure_cache(spec_path, cache_dir):
    """Use cache_dir if it was built from spec_path, else build it (takes a few seconds)."""
    idx = os.path.join(cache_dir, "index.json")
    if os.path.exists(idx):
        try:
            with open(idx) as f:
                if json.load(f).get("format") == CACHE_FORMAT:
                    return cache_dir
        except ValueError:
            pass
    build(spec_path, cache_dir)
    return cache_dir


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        idx = build(sys.argv[2], sys.argv[3])
        print("openapi cache: %d paths, spec %s" % (len(idx["paths"]), idx["version"]))
    else:
        sys.exit("usage: openapi.py build SPEC.json OUTDIR")


# ------------------------------------------------------------------------------------- filling

_FILL_STRING = {"date-time": "2026-01-01T00:00:00Z", "uri": "https://github.invalid/",
                "email": "noreply@github.invalid", "date": "2026-01-01", "uri-template": "https://github.invalid/{x}"}


def fill(schema, value, defs, depth=0):
    """Complete `value` with every required property `schema` asks for and the stand-in did not
    set: null where allowed, else an empty/zero value of the right type. What the stand-in does
    set is left untouched (and later validated)."""
    if depth > 40 or schema is None:
        return value
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        for s in schema["allOf"]:
            value = fill(s, value, defs, depth + 1)
        return value
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = schema[key]
            if value is None:
                return None if any(_allows_null(b, defs) for b in branches) else fill(branches[0], None, defs, depth + 1)
            for b in branches:
                if _kind_matches(b, value, defs):
                    return fill(b, value, defs, depth + 1)
            return value
    t = schema.get("type")
    types = t if isinstance(t, list) else ([t] if t else [])
    if value is None:
        if "null" in types:
            return None
        if "enum" in schema:
            return schema["enum"][0]
        if "object" in types or "properties" in schema:
            value = {}
        elif "array" in types:
            return []
        elif "string" in types:
            return _FILL_STRING.get(schema.get("format"), "")
        elif "integer" in types or "number" in types:
            return schema.get("minimum", 0)
        elif "boolean" in types:
            return False
        else:
            return None
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                value[name] = fill(props.get(name, {}), None, defs, depth + 1)
        for name, v in list(value.items()):
            if name in props and (isinstance(v, (dict, list)) or v is None):
                value[name] = fill(props[name], v, defs, depth + 1)
    elif isinstance(value, list) and "items" in schema:
        return [fill(schema["items"], v, defs, depth + 1) for v in value]
    return value


def _deref(s, defs):
    while "$ref" in s:
        s = defs[s["$ref"].rsplit("/", 1)[-1]]
    return s


def _allows_null(s, defs):
    s = _deref(s, defs)
    t = s.get("type")
    return t == "null" or (isinstance(t, list) and "null" in t)


def _kind_matches(s, value, defs):
    s = _deref(s, defs)
    if "allOf" in s:
        return all(_kind_matches(x, value, defs) for x in s["allOf"])
    if "anyOf" in s or "oneOf" in s:
        return any(_kind_matches(x, value, defs) for x in s.get("anyOf", s.get("oneOf")))
    t = s.get("type")
    types = t if isinstance(t, list) else ([t] if t else [])
    if not types:
        return True
    py = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    for ty in types:
        if ty in ("integer", "number"):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return True
        elif isinstance(value, py.get(ty, object)):
            return True
    return False


def _op_fill(self, status, body):
    schema = self.data["responses"].get(str(status))
    if schema is None:
        return body
    return fill(schema, body, self.data["definitions"])


Operation.fill = _op_fill
