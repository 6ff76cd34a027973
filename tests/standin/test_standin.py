"""Self-tests of the GitHub stand-in: `python3 -m unittest discover -s tests/standin` with the test
tools' Python (standin-python). Starts one stand-in per class on 127.0.0.1:0."""
import base64
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


class Standin:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="standin-test-")
        t0 = time.time()
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "github_standin.py"),
                                      "--state", self.dir, "--max-seconds", "300"],
                                     stdout=subprocess.PIPE, stderr=None, text=True)
        self.base = self.proc.stdout.readline().strip()
        self.startup = time.time() - t0
        assert self.base.startswith("http://127.0.0.1:"), self.base

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def req(self, method, path, body=None, token="tok", headers=None, raw=False):
        url = path if path.startswith("http") else self.base + path
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        h = {"Accept": "application/vnd.github+json", "User-Agent": "standin-selftest"}
        if data is not None:
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        r = urllib.request.Request(url, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(r, timeout=30) as resp:
                status, hdrs, payload = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, hdrs, payload = e.code, e.headers, e.read()
        out = json.loads(payload) if payload and not raw else payload
        return status, hdrs, out

    def ctl(self, method, path, body=None):
        status, _, out = self.req(method, "/_standin/" + path, body, token=None)
        assert status < 300, (status, out)
        return out

    def violations(self):
        return self.ctl("GET", "violations")["violations"]


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Standin()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def setUp(self):
        s = self.s
        s.ctl("POST", "reset")
        s.ctl("POST", "tokens", {"token": "tok", "login": "octo"})
        s.ctl("POST", "repos", {"owner": "acme", "name": "web", "files": {"README.md": "hi\n", "Dockerfile": "FROM alpine:3\n"}})
        s.ctl("POST", "repos/acme/web/commits", {"branch": "feature", "create_from": "main",
                                                "files": {"a.txt": "a\n"}, "message": "a"})
        s.ctl("POST", "repos/acme/web/refs", {"ref": "refs/heads/same", "from": "main"})

    def assertNoViolations(self):
        self.assertEqual(self.s.violations(), [])


class RestTests(Base):
    def test_pr_create_valid_and_invalid(self):
        st, h, pr = self.s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "feature", "base": "main", "body": "b"})
        self.assertEqual(st, 201, pr)
        self.assertEqual(pr["number"], 1)
        self.assertEqual(pr["head"]["ref"], "feature")
        self.assertEqual(h["Location"], pr["url"])
        self.assertNoViolations()
        st, _, out = self.s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "feature"})
        self.assertEqual(st, 422)
        v = self.s.violations()
        self.assertEqual(len(v), 1)
        self.assertEqual(v[0]["operation"], "pulls/create")
        self.assertIn("'base' is a required property", " ".join(v[0]["problems"]))

    def test_undocumented_route_and_query_are_violations(self):
        st, _, _ = self.s.req("GET", "/repos/acme/web/pullz")
        self.assertEqual(st, 404)
        st, _, _ = self.s.req("GET", "/repos/acme/web/pulls?state=bogus")
        self.assertEqual(st, 422)
        self.assertEqual(len(self.s.violations()), 2)

    def test_pr_422_cases(self):
        s = self.s
        st, _, out = s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "nope", "base": "main"})
        self.assertEqual((st, out["errors"][0]["field"]), (422, "head"))
        st, _, out = s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "same", "base": "main"})
        self.assertEqual(st, 422)
        self.assertEqual(out["errors"][0]["message"], "No commits between main and same")
        self.assertEqual(s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "acme:feature", "base": "main"})[0], 201)
        st, _, out = s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "feature", "base": "main"})
        self.assertEqual(st, 422)
        self.assertIn("A pull request already exists for acme:feature.", out["errors"][0]["message"])
        self.assertNoViolations()

    def test_pr_lifecycle_labels_reviewers_comments_list(self):
        s = self.s
        s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "feature", "base": "main"})
        st, _, labels = s.req("POST", "/repos/acme/web/issues/1/labels", {"labels": ["drydock", "deps"]})
        self.assertEqual((st, [l["name"] for l in labels]), (200, ["drydock", "deps"]))
        st, _, labels = s.req("DELETE", "/repos/acme/web/issues/1/labels/deps")
        self.assertEqual([l["name"] for l in labels], ["drydock"])
        st, _, pr = s.req("POST", "/repos/acme/web/pulls/1/requested_reviewers", {"reviewers": ["alice"], "team_reviewers": ["platform"]})
        self.assertEqual((st, pr["requested_teams"][0]["slug"]), (201, "platform"))
        self.assertEqual(s.req("POST", "/repos/acme/web/issues/1/comments", {"body": "closing: fixed on main"})[0], 201)
        st, _, lst = s.req("GET", "/repos/acme/web/pulls?head=acme:feature&state=all&per_page=100")
        self.assertEqual([p["number"] for p in lst], [1])
        self.assertEqual(len(s.req("GET", "/repos/acme/web/pulls?head=feature")[2]), 1)  # bare branch: ignored
        self.assertEqual(s.req("GET", "/repos/acme/web/pulls?head=acme:other")[2], [])
        st, _, pr = s.req("PATCH", "/repos/acme/web/pulls/1", {"state": "closed", "body": "new"})
        self.assertEqual((st, pr["state"], pr["body"]), (200, "closed", "new"))
        s.ctl("PATCH", "repos/acme/web/pulls/1", {"checks": "FAILURE"})
        s.req("PATCH", "/repos/acme/web/pulls/1", {"state": "open"})
        merged = s.ctl("POST", "repos/acme/web/pulls/1/merge", {"delete_branch": True})
        self.assertTrue(merged["merged"])
        st, _, pr = s.req("GET", "/repos/acme/web/pulls/1")
        self.assertEqual((pr["merged"], pr["state"]), (True, "closed"))
        self.assertEqual(s.req("GET", "/repos/acme/web/git/ref/heads/feature")[0], 404)
        self.assertNoViolations()

    def test_assignees_add_remove_and_shown_everywhere(self):
        s = self.s
        s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "feature", "base": "main"})
        st, _, issue = s.req("POST", "/repos/acme/web/issues/1/assignees", {"assignees": ["alice", "bob"]})
        self.assertEqual((st, [u["login"] for u in issue["assignees"]]), (201, ["alice", "bob"]))
        self.assertEqual((issue["number"], issue["assignee"]["login"]), (1, "alice"))
        self.assertIn("pull_request", issue)
        # adding again (and one more) keeps who is there and adds no duplicate
        st, _, issue = s.req("POST", "/repos/acme/web/issues/1/assignees", {"assignees": ["bob", "carol"]})
        self.assertEqual([u["login"] for u in issue["assignees"]], ["alice", "bob", "carol"])
        st, _, pr = s.req("GET", "/repos/acme/web/pulls/1")
        self.assertEqual([u["login"] for u in pr["assignees"]], ["alice", "bob", "carol"])
        self.assertEqual(s.ctl("GET", "repos/acme/web")["pulls"][0]["assignees"], ["alice", "bob", "carol"])
        st, _, issue = s.req("DELETE", "/repos/acme/web/issues/1/assignees", {"assignees": ["bob"]})
        self.assertEqual((st, [u["login"] for u in issue["assignees"]]), (200, ["alice", "carol"]))
        # at most ten, as on GitHub
        s.req("POST", "/repos/acme/web/issues/1/assignees", {"assignees": ["u%d" % i for i in range(12)]})
        self.assertEqual(len(s.ctl("GET", "repos/acme/web/pulls/1")["assignees"]), 10)
        self.assertEqual(s.req("POST", "/repos/acme/web/issues/9/assignees", {"assignees": ["alice"]})[0], 404)
        self.assertNoViolations()
        # the description is checked: remove needs a body, assignees are strings or {login}
        self.assertEqual(s.req("POST", "/repos/acme/web/issues/1/assignees", {"assignees": [7]})[0], 422)
        self.assertEqual(s.req("DELETE", "/repos/acme/web/issues/1/assignees", {})[0], 422)
        self.assertEqual([v["operation"] for v in s.violations()], ["issues/add-assignees", "issues/remove-assignees"])

    def test_refs_create_update_delete(self):
        s = self.s
        st, _, ref = s.req("GET", "/repos/acme/web/git/ref/heads/main")
        sha = ref["object"]["sha"]
        self.assertEqual(s.req("POST", "/repos/acme/web/git/refs", {"ref": "refs/heads/drydock/policy", "sha": sha})[0], 201)
        self.assertEqual(s.req("POST", "/repos/acme/web/git/refs", {"ref": "refs/heads/drydock/policy", "sha": sha})[0], 422)
        feat = s.req("GET", "/repos/acme/web/git/ref/heads/feature")[2]["object"]["sha"]
        self.assertEqual(s.req("PATCH", "/repos/acme/web/git/refs/heads/drydock/policy", {"sha": feat})[0], 200)
        self.assertEqual(s.req("PATCH", "/repos/acme/web/git/refs/heads/drydock/policy", {"sha": sha})[0], 422)
        self.assertEqual(s.req("PATCH", "/repos/acme/web/git/refs/heads/drydock/policy", {"sha": sha, "force": True})[0], 200)
        self.assertEqual(s.req("DELETE", "/repos/acme/web/git/refs/heads/drydock/policy")[0], 204)
        self.assertEqual(s.req("GET", "/repos/acme/web/git/ref/heads/drydock/policy")[0], 404)
        self.assertNoViolations()

    def test_pagination_over_1000_repos_and_ghes_prefix(self):
        s = self.s
        s.ctl("POST", "repos", {"repos": [{"owner": "big", "name": "r%04d" % i, "archived": i % 10 == 0,
                                           "topics": ["t%d" % (i % 3)], "custom_properties": {"team": "x"}}
                                          for i in range(1050)]})
        for prefix in ("", "/api/v3"):
            url, names, pages = "%s%s/orgs/big/repos?per_page=100" % (s.base, prefix), [], 0
            while url:
                st, h, page = s.req("GET", url)
                self.assertEqual(st, 200)
                names += [r["name"] for r in page]
                pages += 1
                link = h.get("Link") or ""
                nxt = [p.split(";")[0].strip()[1:-1] for p in link.split(",") if 'rel="next"' in p]
                url = nxt[0] if nxt else None
                if url:
                    self.assertTrue(url.startswith(s.base + prefix + "/orgs/big/repos?"), url)
            self.assertEqual((pages, len(set(names))), (11, 1050))
        st, _, props = s.req("GET", "/orgs/big/properties/values?per_page=100")
        self.assertEqual(props[0]["properties"], [{"property_name": "team", "value": "x"}])
        self.assertNoViolations()

    def test_etag_304_costs_no_quota(self):
        s = self.s
        st, h, _ = s.req("GET", "/repos/acme/web")
        etag, rem = h["ETag"], int(h["x-ratelimit-remaining"])
        st, h2, _ = s.req("GET", "/repos/acme/web", headers={"If-None-Match": etag}, raw=True)
        self.assertEqual(st, 304)
        self.assertEqual(int(h2["x-ratelimit-remaining"]), rem)
        self.assertEqual(s.ctl("GET", "log/summary")["status_304"], 1)

    def test_app_jwt_installation_token_expiry(self):
        import jwt
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        s = self.s
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        s.ctl("POST", "app", {"id": 42, "slug": "drydock-test", "public_key": pub, "token_lifetime": 1})
        inst = s.ctl("POST", "installations", {"owner": "acme"})["id"]
        now = int(time.time())
        token = jwt.encode({"iat": now - 60, "exp": now + 540, "iss": "42"}, pem, algorithm="RS256")
        st, _, lst = s.req("GET", "/app/installations", token=token)
        self.assertEqual((st, lst[0]["id"]), (200, inst))
        self.assertEqual(s.req("GET", "/orgs/acme/installation", token=token)[2]["id"], inst)
        self.assertEqual(s.req("GET", "/orgs/nope/installation", token=token)[0], 404)
        bad = jwt.encode({"iat": now - 60, "exp": now - 1, "iss": "42"}, pem, algorithm="RS256")
        self.assertEqual(s.req("GET", "/app/installations", token=bad)[0], 401)
        st, _, it = s.req("POST", "/app/installations/%d/access_tokens" % inst, token=token)
        self.assertEqual(st, 201)
        self.assertEqual(s.req("GET", "/repos/acme/web", token=it["token"])[0], 200)
        time.sleep(1.2)
        st, _, out = s.req("GET", "/repos/acme/web", token=it["token"])
        self.assertEqual((st, out["message"]), (401, "Bad credentials"))
        self.assertNoViolations()

    def test_limits_secondary_with_and_without_retry_after_and_primary(self):
        s = self.s
        s.ctl("POST", "limits", {"per_minute": 2, "retry_after": "auto", "secondary_status": 403})
        body = {"labels": ["x"]}
        s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "feature", "base": "main"})
        self.assertEqual(s.req("POST", "/repos/acme/web/issues/1/labels", body)[0], 200)
        st, h, out = s.req("POST", "/repos/acme/web/issues/1/labels", body)
        self.assertEqual(st, 403)
        self.assertTrue(out["message"].startswith("You have exceeded a secondary rate limit"))
        self.assertGreater(int(h["Retry-After"]), 0)
        s.ctl("POST", "limits", {"retry_after": None, "secondary_status": 429})
        st, h, _ = s.req("POST", "/repos/acme/web/issues/1/labels", body)
        self.assertEqual((st, h.get("Retry-After")), (429, None))
        self.assertEqual(s.ctl("GET", "log/summary")["max_content_60s"], 4)
        s.ctl("POST", "limits", {"core_limit": 3, "per_minute": None, "reset_counters": True})
        for _ in range(3):
            self.assertEqual(s.req("GET", "/repos/acme/web")[0], 200)
        st, h, out = s.req("GET", "/repos/acme/web")
        self.assertEqual((st, h["x-ratelimit-remaining"]), (403, "0"))
        self.assertIn("API rate limit exceeded", out["message"])

    def test_faults(self):
        s = self.s
        s.ctl("POST", "faults", {"rules": [{"route": "/repos/{owner}/{repo}", "status": 502, "times": 1}]})
        self.assertEqual(s.req("GET", "/repos/acme/web")[0], 502)
        self.assertEqual(s.req("GET", "/repos/acme/web")[0], 200)
        s.ctl("POST", "faults", {"rules": [{"route": "/repos/{owner}/{repo}/pulls", "method": "POST", "action": "reset_after"}]})
        with self.assertRaises((ConnectionError, urllib.error.URLError, OSError)):
            s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "feature", "base": "main"})
        st, _, lst = s.req("GET", "/repos/acme/web/pulls?head=acme:feature")
        self.assertEqual(len(lst), 1)  # the POST took effect before the reset


class GitTests(Base):
    def git(self, *args, cwd=None, token="tok", check=True):
        helper = "!f() { echo username=x-access-token; echo password=%s; }; f" % token
        env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1", HOME=self.s.dir)
        p = subprocess.run(["git", "-c", "credential.helper=", "-c", "credential.helper=" + helper,
                            "-c", "user.name=T", "-c", "user.email=t@t"] + list(args),
                           cwd=cwd, env=env, capture_output=True, text=True)
        if check and p.returncode:
            raise AssertionError(p.stderr)
        return p

    def test_push_with_token_creates_branch(self):
        s = self.s
        work = os.path.join(s.dir, "work")
        url = s.base + "/acme/web.git"
        self.git("clone", "-q", url, work)
        with open(os.path.join(work, "new.txt"), "w") as f:
            f.write("new\n")
        self.git("add", ".", cwd=work)
        self.git("commit", "-qm", "new", cwd=work)
        bad = self.git("push", "origin", "HEAD:refs/heads/drydock/policy", cwd=work, token="wrong", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.git("push", "-q", "origin", "HEAD:refs/heads/drydock/policy", cwd=work)
        sha = self.git("rev-parse", "HEAD", cwd=work).stdout.strip()
        st, _, ref = s.req("GET", "/repos/acme/web/git/ref/heads/drydock/policy")
        self.assertEqual((st, ref["object"]["sha"]), (200, sha))
        st, _, pr = s.req("POST", "/repos/acme/web/pulls", {"title": "t", "head": "drydock/policy", "base": "main"})
        self.assertEqual((st, pr["head"]["sha"], pr["commits"]), (201, sha, 1))
        kinds = s.ctl("GET", "log/summary")["per_repo"]["acme/web"]
        self.assertGreaterEqual(kinds["git-push"], 1)
        self.assertNoViolations()

    def test_workflow_push_needs_workflows_permission(self):
        s = self.s
        s.world_app = None
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        import jwt
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        s.ctl("POST", "app", {"id": 7, "public_key": pub})
        inst = s.ctl("POST", "installations", {"owner": "acme", "permissions": {"contents": "write", "pull_requests": "write"}})["id"]
        now = int(time.time())
        # octocrab sends `iss` as a number, which PyJWT's encoder refuses: sign the JWS directly.
        payload = json.dumps({"iat": now - 30, "exp": now + 500, "iss": 7}).encode()
        j = jwt.api_jws.encode(payload, key, algorithm="RS256", headers={"typ": "JWT"})
        tok = s.req("POST", "/app/installations/%d/access_tokens" % inst, token=j)[2]["token"]
        work = os.path.join(s.dir, "work2")
        self.git("clone", "-q", s.base + "/acme/web.git", work, token=tok)
        os.makedirs(os.path.join(work, ".github", "workflows"))
        with open(os.path.join(work, ".github", "workflows", "ci.yml"), "w") as f:
            f.write("on: push\n")
        self.git("add", ".", cwd=work)
        self.git("commit", "-qm", "wf", cwd=work)
        p = self.git("push", "origin", "HEAD:refs/heads/wf", cwd=work, token=tok, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("without `workflows` permission", p.stderr)


STATUS_FRAGMENT = """
fragment Prs on Repository {
  nameWithOwner isArchived
  pullRequests(headRefName: $head, first: 5, states: [OPEN, CLOSED, MERGED], orderBy: {field: CREATED_AT, direction: DESC}) {
    nodes { number url state isDraft createdAt mergeable reviewDecision headRepositoryOwner { login }
            commits(last: 1) { nodes { commit { oid statusCheckRollup { state } } } } }
  }
}"""


class GraphQLTests(Base):
    def gql(self, query, variables=None, token="tok"):
        st, h, out = self.s.req("POST", "/graphql", {"query": query, "variables": variables or {}}, token=token)
        self.assertEqual(st, 200, out)
        return out

    def test_status_query_over_50_repos_with_aliases(self):
        s = self.s
        s.ctl("POST", "repos", {"repos": [{"owner": "acme", "name": "svc%02d" % i, "files": {"f": "x\n"}} for i in range(50)]})
        for i in range(0, 50, 5):
            s.ctl("POST", "repos/acme/svc%02d/commits" % i, {"branch": "drydock/policy", "create_from": "main", "files": {"g": "y\n"}})
            s.ctl("POST", "repos/acme/svc%02d/pulls" % i, {"head": "drydock/policy", "author": "drydock[bot]"})
            s.ctl("PATCH", "repos/acme/svc%02d/pulls/1" % i, {"checks": "FAILURE" if i % 2 else "SUCCESS", "mergeable": True})
        decl = ", ".join("$o%d: String!, $n%d: String!" % (i, i) for i in range(51))
        body = "\n".join("r%d: repository(owner: $o%d, name: $n%d) { ...Prs }" % (i, i, i) for i in range(51))
        q = "query Status($head: String!, %s) {\n%s\n rateLimit { cost remaining resetAt }\n}\n%s" % (decl, body, STATUS_FRAGMENT)
        variables = {"head": "drydock/policy"}
        for i in range(51):
            variables["o%d" % i], variables["n%d" % i] = "acme", ("svc%02d" % i if i < 50 else "gone")
        t0 = time.time()
        out = self.gql(q, variables)
        elapsed = time.time() - t0
        d = out["data"]
        self.assertIsNone(d["r50"])
        self.assertEqual(out["errors"][0]["type"], "NOT_FOUND")
        self.assertEqual(out["errors"][0]["path"], ["r50"])
        pr = d["r0"]["pullRequests"]["nodes"][0]
        self.assertEqual((pr["state"], pr["mergeable"]), ("OPEN", "MERGEABLE"))
        self.assertEqual(pr["commits"]["nodes"][0]["commit"]["statusCheckRollup"]["state"], "SUCCESS")
        self.assertEqual(d["r5"]["pullRequests"]["nodes"][0]["commits"]["nodes"][0]["commit"]["statusCheckRollup"]["state"], "FAILURE")
        self.assertEqual(d["r1"]["pullRequests"]["nodes"], [])
        self.assertEqual(d["rateLimit"]["cost"], 3)  # 51 * (1 + 5) connection requests / 100
        self.assertLess(elapsed, 5)
        if os.environ.get("STANDIN_TIMING"):
            print("status query over 51 aliases: %.2fs" % elapsed, file=sys.stderr)
        self.assertNoViolations()

    def test_rename_old_name_redirects_and_follows_renames(self):
        s = self.s
        s.ctl("PATCH", "repos/acme/web", {"name": "site"})
        # REST: the old name is a 301 to /repositories/{id} (not followed: that path is not in the
        # OpenAPI description), a write on it a 307; the new name answers as usual.
        conn = http.client.HTTPConnection(s.base[len("http://"):], timeout=30)
        auth = {"Authorization": "Bearer tok", "Accept": "application/vnd.github+json", "User-Agent": "t"}
        conn.request("GET", "/repos/acme/web", headers=auth)
        resp = conn.getresponse()
        body = json.loads(resp.read())
        st, _, repo = s.req("GET", "/repos/acme/site")
        self.assertEqual(st, 200, repo)
        self.assertEqual((resp.status, body["message"]), (301, "Moved Permanently"))
        self.assertEqual(resp.getheader("Location"), "%s/repositories/%d" % (s.base, repo["id"]))
        conn.request("GET", "/api/v3/repos/acme/web/pulls", headers=auth)
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 301)
        self.assertEqual(resp.getheader("Location"), "%s/api/v3/repositories/%d/pulls" % (s.base, repo["id"]))
        conn.request("POST", "/repos/acme/web/pulls", body=json.dumps({"title": "t", "head": "feature", "base": "main"}),
                     headers=dict(auth, **{"Content-Type": "application/json"}))
        resp = conn.getresponse()
        resp.read()
        conn.close()
        self.assertEqual(resp.status, 307)
        self.assertEqual(s.ctl("GET", "repos/acme/site")["pulls"], [])
        # GraphQL: followRenames (default true) gives the repository under its new name.
        q = 'query { a: repository(owner: "acme", name: "web", followRenames: true) { nameWithOwner } ' \
            'b: repository(owner: "acme", name: "web") { nameWithOwner } ' \
            'c: repository(owner: "acme", name: "web", followRenames: false) { nameWithOwner } }'
        out = self.gql(q)
        self.assertEqual(out["data"]["a"], {"nameWithOwner": "acme/site"})
        self.assertEqual(out["data"]["b"], {"nameWithOwner": "acme/site"})
        self.assertIsNone(out["data"]["c"])
        self.assertEqual([(e["type"], e["path"]) for e in out["errors"]], [("NOT_FOUND", ["c"])])
        self.assertNoViolations()
        # A new repository under the old name ends the redirect; so does deleting the renamed one.
        s.ctl("POST", "repos", {"owner": "acme", "name": "web", "files": {"f": "x\n"}})
        st, _, again = s.req("GET", "/repos/acme/web")
        self.assertEqual((st, again["full_name"]), (200, "acme/web"))
        s.ctl("PATCH", "repos/acme/site", {"name": "site2"})
        s.ctl("DELETE", "repos/acme/site2")
        self.assertEqual(s.req("GET", "/repos/acme/site")[0], 404)
        self.assertIsNone(self.gql('query { repository(owner: "acme", name: "site") { id } }')["data"]["repository"])
        self.assertNoViolations()

    def test_invalid_field_and_missing_first_are_violations(self):
        out = self.gql('query { repository(owner: "acme", name: "web") { nameWithOwner bogusField } }')
        self.assertNotIn("data", out)
        self.assertIn("bogusField", out["errors"][0]["message"])
        out = self.gql('query { repository(owner: "acme", name: "web") { pullRequests(states: [OPEN]) { nodes { number } } } }')
        self.assertEqual(out["errors"][0]["type"], "MISSING_PAGINATION_BOUNDARIES")
        self.assertEqual(len(self.s.violations()), 2)

    def test_create_commit_on_branch_and_create_ref(self):
        s = self.s
        info = self.gql('query { repository(owner: "acme", name: "web") { id defaultBranchRef { target { oid } } } }')["data"]["repository"]
        head = info["defaultBranchRef"]["target"]["oid"]
        out = self.gql("mutation($i: CreateRefInput!) { createRef(input: $i) { ref { name target { oid } } } }",
                       {"i": {"repositoryId": info["id"], "name": "refs/heads/drydock/policy", "oid": head}})
        self.assertEqual(out["data"]["createRef"]["ref"]["name"], "drydock/policy")
        m = """mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid url } } }"""
        inp = {"branch": {"repositoryNameWithOwner": "acme/web", "branchName": "drydock/policy"},
               "expectedHeadOid": head, "message": {"headline": "drydock: policy", "body": "Signed-off-by: x"},
               "fileChanges": {"additions": [{"path": ".github/dependabot.yml", "contents": base64.b64encode(b"version: 2\n").decode()}],
                               "deletions": [{"path": "Dockerfile"}]}}
        out = self.gql(m, {"input": inp})
        self.assertNotIn("errors", out)
        oid = out["data"]["createCommitOnBranch"]["commit"]["oid"]
        gitdir = s.ctl("GET", "repos/acme/web")["gitdir"]
        files = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "-r", "--name-only", oid], capture_output=True, text=True).stdout.split()
        self.assertEqual(sorted(files), [".github/dependabot.yml", "README.md"])
        parent = subprocess.run(["git", "--git-dir", gitdir, "rev-parse", oid + "^"], capture_output=True, text=True).stdout.strip()
        self.assertEqual(parent, head)
        out = self.gql(m, {"input": inp})  # expectedHeadOid is stale now
        self.assertIsNone(out["data"]["createCommitOnBranch"])
        self.assertEqual(out["errors"][0]["type"], "STALE_DATA")
        summary = s.ctl("GET", "log/summary")
        self.assertEqual(summary["per_kind"]["graphql-mutation"], 3)
        self.assertEqual(summary["content_creating"], 3)
        self.assertNoViolations()

    def test_graphql_rate_limited_inside_200(self):
        self.s.ctl("POST", "limits", {"graphql_limit": 1})
        q = 'query { repository(owner: "acme", name: "web") { name } }'
        self.assertIn("data", self.gql(q))
        out = self.gql(q)
        self.assertEqual(out["errors"][0]["type"], "RATE_LIMITED")


if __name__ == "__main__":
    unittest.main()
