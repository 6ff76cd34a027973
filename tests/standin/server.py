"""HTTP side of the stand-in: request checking, limits, faults, ETags, git smart HTTP, control."""
import hashlib
import json
import os
import socket
import struct
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import control
import objects
import rest
from common import GIT_RE, HTTPError, SECONDARY_DOC, SECONDARY_MSG

WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


class Reset(Exception):
    """Close the connection without an answer (connection reset)."""


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(standin, port):
    class H(Handler):
        pass
    H.standin = standin
    return Server(("127.0.0.1", port), H)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""
    standin = None

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.handle_any()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # ------------------------------------------------------------------ plumbing
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                line = self.rfile.readline().strip()
                n = int(line.split(b";")[0], 16)
                if n == 0:
                    while self.rfile.readline().strip():
                        pass
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, body, headers=None, ctype="application/json; charset=utf-8"):
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
        elif body is None:
            data = b""
        else:
            data = body
        self.send_response(status)
        if data or status not in (204, 304):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def reset_connection(self):
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    # ------------------------------------------------------------------ entry
    def handle_any(self):
        s = self.standin
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        raw_path = url.path
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        body = self.read_body()
        if path.startswith("/_standin/"):
            try:
                status, out = control.handle(s, self.command, path, query, body, self)
            except Exception as e:  # a harness bug: say so clearly
                status, out = 400, {"error": "%s: %s" % (type(e).__name__, e)}
            return self.send(status, out)
        m = GIT_RE.match(path)
        if m:
            return self.git(m, url.query, body)
        prefix = ""
        if path.startswith("/api/v3/") or path == "/api/v3":
            prefix, path = "/api/v3", path[len("/api/v3"):] or "/"
            raw_path = raw_path[len("/api/v3"):]
        host = self.headers.get("Host", "127.0.0.1:%d" % self.server.server_address[1])
        base = "http://" + host
        urls = objects.Urls(base, base + prefix)
        if path in ("/graphql", "/api/graphql") and not prefix:
            return self.graphql(s, urls, body)
        return self.rest(s, urls, path, raw_path, query, body, prefix)

    # ------------------------------------------------------------------ REST
    def rest(self, s, urls, path, raw_path, query, body, prefix):
        t0 = time.time()
        method = self.command
        rid = s.next_request_id()
        entry = {"t": t0, "method": method, "path": path, "route": None, "operation": None,
                 "repo": None, "kind": "read" if method in ("GET", "HEAD") else "write",
                 "content_creating": method in WRITE_METHODS, "status": None, "fault": None}
        headers = {"X-GitHub-Request-Id": rid, "X-GitHub-Api-Version-Selected": "2022-11-28",
                   "Access-Control-Allow-Origin": "*"}
        status, out, tok, op = 500, {"message": "stand-in error"}, None, None
        concurrency_taken = False
        try:
            op, pp, err = s.openapi.match(method, path)
            if op is None:
                s.log.violation("request", method, path, ["no documented operation %s %s" % (method, path)])
                raise HTTPError(404, "Not Found")
            entry["route"], entry["operation"] = op.template, op.operation_id
            if "owner" in pp and "repo" in pp:
                entry["repo"] = "%s/%s" % (pp["owner"], pp["repo"])
            if op.operation_id == "apps/create-installation-access-token":
                entry["kind"], entry["content_creating"] = "auth", False
            problems = op.check_params(pp, query)
            parsed, present = None, bool(body.strip())
            if present:
                try:
                    parsed = json.loads(body)
                except ValueError:
                    s.log.violation("request", method, path, ["body is not JSON"], op.operation_id)
                    raise HTTPError(400, "Problems parsing JSON")
            body_problems = op.check_body(present, parsed)
            if problems or body_problems:
                s.log.violation("request", method, path, problems + body_problems, op.operation_id)
            if body_problems or [p for p in problems if "not documented" not in p]:
                raise HTTPError(422, "Invalid request.\n\n" + "\n".join(body_problems + problems))
            fault = s.faults.take(method, op.template, path)
            if fault:
                entry["fault"] = fault.get("action", "status")
                self.pre_fault(fault)
            tok = s.authenticate(self.headers.get("Authorization"))
            ident = s.identity(tok)
            headers.update(self.limits_gate(s, ident, "core", entry["content_creating"], rid, op))
            with s.limits.lock:
                s.limits.in_flight += 1
            concurrency_taken = True
            if s.limits.concurrent is not None and s.limits.in_flight > s.limits.concurrent:
                raise self.secondary(s, rid, 60)
            handler = rest.HANDLERS.get(op.operation_id)
            if handler is None:
                s.log.unimplemented.append({"method": method, "path": path, "operation": op.operation_id})
                raise HTTPError(404, "Not Found (the stand-in does not implement %s)" % op.operation_id)
            link_base = "%s%s" % (urls.api, raw_path)
            ctx = rest.Ctx(s, method, pp, query, parsed, tok, urls, link_base)
            res = handler(ctx)
            status, out = res[0], res[1]
            if len(res) > 2:
                headers.update(res[2])
            if ctx.repo_name:
                entry["repo"] = ctx.repo_name
        except HTTPError as e:
            status = e.status
            out = {"message": e.message, "documentation_url": (op.documentation_url if op else "https://docs.github.com/rest")}
            if e.errors is not None:
                out["errors"] = e.errors
            if status in (422, 400) and e.errors is None and "Invalid request" in e.message:
                out["status"] = str(status)
            headers.update(e.headers)
        except Reset:
            entry["status"] = "reset"
            s.log.add(entry)
            return self.reset_connection()
        finally:
            if concurrency_taken:
                with s.limits.lock:
                    s.limits.in_flight -= 1
        ident = s.identity(tok) if tok is not None or status != 401 else "anonymous"
        # ETag / If-None-Match: a 304 costs no primary quota.
        if op is not None and out is not None:
            out = op.fill(status, out)
            resp_problems = op.check_response(status, out)
            if resp_problems:
                s.log.violation("response", method, path, resp_problems, op.operation_id)
        if method == "GET" and status == 200:
            etag = 'W/"%s"' % hashlib.sha1(json.dumps(out, sort_keys=True).encode()).hexdigest()
            headers["ETag"] = etag
            headers["Cache-Control"] = "private, max-age=60, s-maxage=60"
            headers["Vary"] = "Accept, Authorization, Cookie, X-GitHub-OTP"
            inm = self.headers.get("If-None-Match")
            if inm and etag in [x.strip() for x in inm.split(",")]:
                status, out = 304, None
        charged = op is not None and status not in (304,) and op.operation_id != "rate-limit/get" \
            and not headers.get("_no_charge") and ident != "anonymous" and status != 401
        headers.pop("_no_charge", None)
        if charged:
            s.limits.charge(ident, "core")
        if status != 401:
            for k, v in s.limits.headers(ident, "core").items():
                headers.setdefault(k, v)
        entry["status"] = status
        entry["duration"] = time.time() - t0
        s.log.add(entry)
        fault = entry.get("_post")
        self.send(status, out, headers)

    def pre_fault(self, f):
        act = f.get("action", "status")
        if act == "delay":
            time.sleep(float(f.get("delay", 1)))
            return
        if act == "reset":
            raise Reset()
        if act == "reset_after":
            self._reset_after = True
            return
        body = f.get("body", {"message": "Server Error" if f.get("status", 500) >= 500 else "fault"})
        h = dict(f.get("headers", {}))
        e = HTTPError(int(f.get("status", 502)), body.get("message", ""), headers=h)
        raise e

    def limits_gate(self, s, ident, resource, content, rid, op):
        if ident in ("anonymous", "app"):
            return {}
        remaining, reset = s.limits.remaining(ident, resource)
        if remaining <= 0 and op.operation_id != "rate-limit/get":
            h = s.limits.headers(ident, resource)
            raise HTTPError(s.limits.primary_status, "API rate limit exceeded for %s." % ident, headers=h)
        if content:
            wait = s.limits.content_check(ident)
            if wait is not None:
                raise self.secondary(s, rid, wait)
        return {}

    def secondary(self, s, rid, wait):
        h = {}
        ra = s.limits.retry_after
        if ra is not None:
            h["Retry-After"] = str(wait if ra == "auto" else ra)
        e = HTTPError(s.limits.secondary_status, SECONDARY_MSG % rid, headers=h)
        e.doc = SECONDARY_DOC
        return e

    # ------------------------------------------------------------------ GraphQL
    def graphql(self, s, urls, body):
        t0 = time.time()
        rid = s.next_request_id()
        entry = {"t": t0, "method": "POST", "path": self.path, "route": "graphql", "operation": "graphql",
                 "repo": None, "kind": "graphql-query", "content_creating": False, "status": None, "fault": None}
        headers = {"X-GitHub-Request-Id": rid}
        if self.command != "POST":
            s.log.violation("request", self.command, "/graphql", ["GraphQL needs POST"])
            return self.send(404, {"message": "Not Found"})
        try:
            try:
                req = json.loads(body or b"{}")
                if not isinstance(req, dict) or not isinstance(req.get("query"), str):
                    raise ValueError
            except ValueError:
                s.log.violation("request", "POST", "/graphql", ["body is not a JSON object with a `query` string"])
                raise HTTPError(400, "Problems parsing JSON")
            tok = s.authenticate(self.headers.get("Authorization"))
            if tok is None:
                raise HTTPError(401, "This endpoint requires you to be authenticated.")
            if tok == "app":
                raise HTTPError(401, "A JSON web token could not be decoded")
            ident = s.identity(tok)
            fault = s.faults.take("POST", "graphql", "/graphql")
            if fault:
                entry["fault"] = fault.get("action", "status")
                self.pre_fault(fault)
            status, out, info = s.gql.handle(req, tok, urls, ident)
            entry["kind"] = info.get("kind", "graphql-query")
            entry["content_creating"] = entry["kind"] == "graphql-mutation"
            entry["repos"] = info.get("repos", [])
            if entry["repos"] and len(entry["repos"]) == 1:
                entry["repo"] = entry["repos"][0]
            if info.get("secondary_wait") is not None:
                raise self.secondary(s, rid, info["secondary_wait"])
            headers.update(s.limits.headers(ident, "graphql"))
        except HTTPError as e:
            status, out = e.status, {"message": e.message, "documentation_url": e.doc or "https://docs.github.com/graphql"}
            headers.update(e.headers)
        except Reset:
            entry["status"] = "reset"
            s.log.add(entry)
            return self.reset_connection()
        entry["status"] = status
        entry["duration"] = time.time() - t0
        s.log.add(entry)
        self.send(status, out, headers)

    # ------------------------------------------------------------------ git smart HTTP
    def git(self, m, qs, body):
        s = self.standin
        t0 = time.time()
        push = m.group("rest") == "git-receive-pack" or "service=git-receive-pack" in qs
        entry = {"t": t0, "method": self.command, "path": self.path.split("?")[0], "route": "git",
                 "operation": "git-" + ("receive-pack" if push else "upload-pack"),
                 "repo": None, "kind": "git-push" if push else "git-fetch", "content_creating": False,
                 "status": None, "fault": None}
        try:
            r = s.world.repo(m.group("owner"), m.group("repo"))
            auth = self.headers.get("Authorization")
            try:
                tok = s.authenticate(auth) if auth else None
            except HTTPError:
                tok = "bad"
            if tok == "app":
                tok = "bad"
            if tok == "bad" or (tok is None and (push or r is None or r.private)):
                entry["status"] = 401
                return self.send(401, b"Invalid username or token. Password authentication is not supported for Git operations.\n",
                                 {"WWW-Authenticate": 'Basic realm="GitHub"'}, "text/plain")
            if r is None or not s.can_see(tok, r):
                entry["status"] = 404
                return self.send(404, b"Repository not found.\n", ctype="text/plain")
            entry["repo"] = r.full_name
            if push and (not s.can_write(tok, r, "contents") or r.archived):
                entry["status"] = 403
                msg = "This repository was archived so it is read-only." if r.archived else \
                    "Permission to %s.git denied to %s." % (r.full_name, getattr(tok, "login", "?"))
                return self.send(403, msg.encode() + b"\n", ctype="text/plain")
            fault = s.faults.take(self.command, "git", self.path)
            if fault:
                entry["fault"] = fault.get("action", "status")
                try:
                    self.pre_fault(fault)
                except HTTPError as e:
                    entry["status"] = e.status
                    return self.send(e.status, e.message.encode(), ctype="text/plain")
            r.ensure_git()
            rel = os.path.relpath(r.gitdir, os.path.join(s.world.state_dir, "git"))
            env = dict(os.environ)
            env.update({"GIT_PROJECT_ROOT": os.path.join(s.world.state_dir, "git"), "GIT_HTTP_EXPORT_ALL": "1",
                        "PATH_INFO": "/%s/%s" % (rel, m.group("rest")), "REQUEST_METHOD": self.command,
                        "QUERY_STRING": qs, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                        "CONTENT_LENGTH": str(len(body)), "REMOTE_USER": getattr(tok, "login", None) or "anonymous",
                        "REMOTE_ADDR": "127.0.0.1", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"})
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            if push and tok is not None and tok.kind == "installation" and tok.permissions.get("workflows") != "write":
                env["STANDIN_NO_WORKFLOWS"] = "1"
            p = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
            head, _, payload = p.stdout.partition(b"\r\n\r\n")
            if not _:
                head, _, payload = p.stdout.partition(b"\n\n")
            status, hdrs = 200, {}
            for line in head.decode(errors="replace").splitlines():
                k, _, v = line.partition(":")
                if k.lower() == "status":
                    status = int(v.strip().split()[0])
                elif k:
                    hdrs[k.strip()] = v.strip()
            ctype = hdrs.pop("Content-Type", "application/octet-stream")
            if push and self.command == "POST":
                r.pushed_at = now_iso()
            entry["status"] = status
            self.send(status, payload, hdrs, ctype)
            if getattr(self, "_reset_after", False):
                self._reset_after = False
                self.reset_connection()
        except Reset:
            entry["status"] = "reset"
            self.reset_connection()
        finally:
            entry["duration"] = time.time() - t0
            s.log.add(entry)

    def send_response(self, code, message=None):
        if getattr(self, "_reset_after", False):
            # the request was processed; now drop the connection instead of answering
            self._reset_after = False
            raise _ResetNow()
        super().send_response(code, message)

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except _ResetNow:
            self.reset_connection()


class _ResetNow(Exception):
    pass


from state import now_iso  # noqa: E402
