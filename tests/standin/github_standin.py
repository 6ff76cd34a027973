#!/usr/bin/env python3
"""A stateful GitHub stand-in for drydock's tests. See README.md in this directory.

    standin-python tests/standin/github_standin.py --state DIR [--port 0] [--max-seconds 600]

First stdout line: the base URL (http://127.0.0.1:PORT). REST at the root (github.com layout) and
under /api/v3 (GHES), GraphQL at /graphql and /api/graphql, git smart HTTP at /OWNER/REPO.git,
the control API at /_standin/.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import objects  # noqa: E402
import openapi  # noqa: E402
from state import GitError, Installation, PR, Token, World, DEFAULT_PERMISSIONS, now_iso  # noqa: E402

from common import GIT_RE, HTTPError, SECONDARY_DOC, SECONDARY_MSG  # noqa: E402,F401


# ------------------------------------------------------------------------------------------ log

class Log:
    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        with getattr(self, "lock", threading.Lock()):
            self.entries, self.violations, self.unimplemented = [], [], []

    def add(self, entry):
        with self.lock:
            self.entries.append(entry)

    def violation(self, side, method, path, problems, op=None):
        with self.lock:
            self.violations.append({"t": time.time(), "side": side, "method": method, "path": path,
                                    "operation": op, "problems": problems})

    def summary(self):
        with self.lock:
            entries = list(self.entries)
        per_repo, per_kind = {}, {}
        for e in entries:
            per_kind[e["kind"]] = per_kind.get(e["kind"], 0) + 1
            if e.get("repo"):
                d = per_repo.setdefault(e["repo"], {})
                d[e["kind"]] = d.get(e["kind"], 0) + 1
        times = sorted(e["t"] for e in entries if e["content_creating"])

        def window(w):
            best, j = 0, 0
            for i, t in enumerate(times):
                while times[j] <= t - w:
                    j += 1
                best = max(best, i - j + 1)
            return best
        gaps = [b - a for a, b in zip(times, times[1:])]
        return {"requests": len(entries), "per_kind": per_kind, "per_repo": per_repo,
                "content_creating": len(times), "max_content_60s": window(60.0),
                "max_content_3600s": window(3600.0), "min_content_gap_s": min(gaps) if gaps else None,
                "status_304": sum(1 for e in entries if e["status"] == 304),
                "violations": len(self.violations), "unimplemented": len(self.unimplemented)}


# --------------------------------------------------------------------------------------- limits

class Limits:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self, **kw):
        self.core_limit = kw.get("core_limit", 5000)
        self.graphql_limit = kw.get("graphql_limit", 5000)
        self.window = kw.get("primary_window", 3600)
        self.primary_status = kw.get("primary_status", 403)
        self.per_minute = kw.get("per_minute")       # content-creating requests per 60 s
        self.per_hour = kw.get("per_hour")           # ... per 3600 s
        self.concurrent = kw.get("concurrent")       # requests in flight at once
        self.secondary_status = kw.get("secondary_status", 403)
        self.retry_after = kw.get("retry_after", "auto")  # seconds, "auto" or None (no header)
        self.buckets = {}       # (identity, resource) -> [used, reset_epoch]
        self.content = {}       # identity -> [times]
        self.in_flight = 0

    def bucket(self, ident, resource):
        limit = self.graphql_limit if resource == "graphql" else self.core_limit
        b = self.buckets.get((ident, resource))
        now = time.time()
        if b is None or now >= b[1]:
            b = [0, int(now) + int(self.window)]
            self.buckets[(ident, resource)] = b
        return b, limit

    def headers(self, ident, resource):
        with self.lock:
            b, limit = self.bucket(ident, resource)
            return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(max(0, limit - b[0])),
                    "x-ratelimit-used": str(b[0]), "x-ratelimit-reset": str(b[1]),
                    "x-ratelimit-resource": resource}

    def remaining(self, ident, resource):
        with self.lock:
            b, limit = self.bucket(ident, resource)
            return limit - b[0], b[1]

    def charge(self, ident, resource, cost=1):
        with self.lock:
            b, _ = self.bucket(ident, resource)
            b[0] += cost

    def content_check(self, ident):
        """None if a content-creating request may go ahead (and counts it), else seconds to wait."""
        with self.lock:
            now = time.time()
            ts = [t for t in self.content.get(ident, []) if t > now - 3600]
            self.content[ident] = ts
            for limit, w in ((self.per_minute, 60), (self.per_hour, 3600)):
                if limit is not None:
                    inside = [t for t in ts if t > now - w]
                    if len(inside) >= limit:
                        return max(1, int(inside[len(inside) - limit] + w - now + 0.999))
            ts.append(now)
            return None


class Faults:
    """Rules: {"route": template or path regex or "graphql"/"git", "method": "POST", "action":
    "status"|"reset"|"reset_after"|"delay", "status": 502, "body": {...}, "headers": {...},
    "delay": 1.5, "times": 1, "skip": 0}. The first live rule that matches is used."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def take(self, method, route, path):
        with self.lock:
            for r in self.rules:
                if r.get("method") and r["method"].upper() != method:
                    continue
                rt = r.get("route", "*")
                if rt != "*" and rt != route and not re.search(rt if rt.startswith("^") else "^$", path):
                    continue
                if r.get("skip", 0) > 0:
                    r["skip"] -= 1
                    continue
                if r.get("times", 1) == 0:
                    continue
                if r.get("times", 1) > 0:
                    r["times"] = r.get("times", 1) - 1
                r["hits"] = r.get("hits", 0) + 1
                return r
        return None


# ------------------------------------------------------------------------------------- the server

class Standin:
    def __init__(self, state_dir, tools):
        self.world = World(state_dir)
        self.log = Log()
        self.limits = Limits()
        self.faults = Faults()
        cache = os.path.join(tools, "share", "standin-openapi")
        spec = os.path.join(tools, "npm", "node_modules", "@octokit", "openapi", "generated", "api.github.com.json")
        if not os.path.exists(os.path.join(cache, "index.json")):
            cache = openapi.ensure_cache(spec, os.path.join(state_dir, "openapi-cache"))
        self.openapi = openapi.OpenAPI(cache)
        gql_schema = os.path.join(tools, "npm", "node_modules", "@octokit", "graphql-schema", "schema.json")
        import gql
        self.gql = gql.GraphQL(self, gql_schema)  # loads in a background thread
        self.request_seq = 0
        self.seq_lock = threading.Lock()

    def next_request_id(self):
        with self.seq_lock:
            self.request_seq += 1
            return "STANDIN:%06d" % self.request_seq

    # ------------------------------------------------------------- auth
    def authenticate(self, header, jwt_ok=False):
        """Returns a Token, the string "app" for a valid App JWT, or None (anonymous)."""
        if not header:
            return None
        parts = header.split(None, 1)
        if len(parts) != 2 or parts[0].lower() not in ("token", "bearer"):
            if parts and parts[0].lower() == "basic":
                try:
                    user, _, pw = base64.b64decode(parts[1]).decode().partition(":")
                except Exception:
                    raise HTTPError(401, "Bad credentials")
                for cand in (pw, user):
                    t = self.world.tokens.get(cand)
                    if t:
                        return self._live(t)
            raise HTTPError(401, "Bad credentials")
        value = parts[1].strip()
        if value.count(".") == 2 and value.startswith("eyJ"):
            return self.verify_jwt(value)
        t = self.world.tokens.get(value)
        if t is None:
            raise HTTPError(401, "Bad credentials")
        return self._live(t)

    def _live(self, t):
        if t.expires_at is not None and time.time() >= t.expires_at:
            raise HTTPError(401, "Bad credentials")
        return t

    def verify_jwt(self, value):
        import jwt
        app = self.world.app
        if app is None:
            raise HTTPError(401, "A JSON web token could not be decoded")
        try:
            claims = jwt.decode(value, app["public_key"], algorithms=["RS256"],
                                options={"verify_exp": False, "verify_iat": False, "require": ["iat", "exp", "iss"]})
        except Exception:
            raise HTTPError(401, "A JSON web token could not be decoded")
        now = time.time()
        if str(claims.get("iss")) not in (str(app["id"]), str(app.get("client_id"))):
            raise HTTPError(401, "'Issuer' claim ('iss') must be an Integer")
        if not isinstance(claims["exp"], (int, float)) or claims["exp"] <= now:
            raise HTTPError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
        if claims["exp"] - now > 600 + 60 or claims["exp"] - claims["iat"] > 600:
            raise HTTPError(401, "'Expiration time' claim ('exp') is too far in the future")
        if claims["iat"] > now + 60:
            raise HTTPError(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued")
        return "app"

    def identity(self, tok):
        if tok is None:
            return "anonymous"
        if tok == "app":
            return "app"
        return "installation:%d" % tok.installation.id if tok.kind == "installation" else "user:" + tok.login

    def can_see(self, tok, repo):
        if tok is None:
            return not repo.private
        if tok == "app":
            return False
        if tok.kind == "installation":
            inst = tok.installation
            if inst.owner.lower() != repo.owner.login.lower():
                return False
            return inst.repos is None or repo.name.lower() in {n.lower() for n in inst.repos}
        return True

    def can_write(self, tok, repo, permission):
        if tok is None or tok == "app":
            return False
        if tok.kind == "installation":
            return tok.permissions.get(permission) == "write"
        return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--state", required=True, help="state directory (bare git repositories live here)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=1800, help="exit after this long (default 1800)")
    ap.add_argument("--tools", default=os.environ.get("DRYDOCK_TEST_TOOLS"),
                    help="test tools prefix (default $DRYDOCK_TEST_TOOLS, else the venv's parent)")
    args = ap.parse_args()
    tools = args.tools or os.path.dirname(sys.prefix)
    os.makedirs(args.state, exist_ok=True)
    import server
    standin = Standin(os.path.abspath(args.state), tools)
    httpd = server.make_server(standin, args.port)
    port = httpd.server_address[1]
    sys.stdout.write("http://127.0.0.1:%d\n" % port)
    sys.stdout.flush()
    standin.gql.start_loading()
    parent = os.getppid()
    deadline = time.time() + args.max_seconds

    def watchdog():
        while True:
            time.sleep(0.25)
            if os.getppid() != parent or time.time() > deadline:
                os._exit(0)
    threading.Thread(target=watchdog, daemon=True).start()
    httpd.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
