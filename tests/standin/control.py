"""The control API under /_standin/ (not a GitHub path, not OpenAPI-checked). See README.md."""
import json
import os
import re
import threading
import time

from state import PR, Installation, Token, DEFAULT_PERMISSIONS, GitError, now_iso


def _files_from_dir(d):
    files = {}
    for root, dirs, names in os.walk(d):
        dirs[:] = [x for x in dirs if x != ".git"]
        for n in names:
            full = os.path.join(root, n)
            rel = os.path.relpath(full, d)
            with open(full, "rb") as f:
                data = f.read()
            files[rel] = {"content": data, "mode": "100755" if os.access(full, os.X_OK) else "100644"}
    return files


def _repo_spec(spec):
    spec = dict(spec)
    owner, name = spec.pop("owner", None), spec.pop("name")
    if "/" in name:
        owner, name = name.split("/", 1)
    if spec.get("from_dir"):
        spec["files"] = _files_from_dir(spec.pop("from_dir"))
    if spec.get("empty"):
        spec.pop("files", None)
    spec.pop("empty", None)
    if "files" not in spec and not spec.get("git_lazy_empty"):
        pass
    return owner, name, spec


def _pr_state(pr):
    return {"number": pr.number, "state": pr.state, "merged": pr.merged, "draft": pr.draft,
            "head": pr.head, "base": pr.base, "head_sha": pr.head_sha(), "title": pr.title, "body": pr.body,
            "labels": list(pr.labels), "assignees": list(pr.assignees), "requested_reviewers": list(pr.requested_reviewers),
            "requested_teams": list(pr.requested_teams), "mergeable": pr.mergeable,
            "review_decision": pr.review_decision, "checks": pr.checks,
            "comments": [c["body"] for c in pr.repo.comments.get(pr.number, [])],
            "created_at": pr.created_at, "author": pr.author}


def handle(s, method, path, query, body, handler):
    w = s.world
    data = json.loads(body) if body.strip() else {}
    parts = [p for p in path[len("/_standin/"):].split("/") if p]
    route = "/".join(parts)

    if route == "health":
        return 200, {"ok": True, "graphql_ready": s.gql.ready.is_set()}
    if route == "reset" and method == "POST":
        w.reset()
        s.log.clear()
        s.limits.reset()
        s.faults.rules = []
        return 200, {"ok": True}
    if route == "shutdown" and method == "POST":
        threading.Thread(target=lambda: (time.sleep(0.1), os._exit(0)), daemon=True).start()
        return 200, {"ok": True}

    # ------------------------------------------------------------ owners, repos
    if route == "orgs" and method == "POST":
        o = w.owner(data["login"], data.get("type", "Organization"), create=True)
        return 201, {"login": o.login, "id": o.id, "type": o.kind}
    if route == "repos" and method == "POST":
        specs = data["repos"] if "repos" in data else [data]
        out = []
        for spec in specs:
            owner, name, kw = _repo_spec(spec)
            r = w.add_repo(owner, name, **kw)
            out.append({"full_name": r.full_name, "id": r.id, "node_id": r.node_id,
                        "clone_url": "http://%s/%s.git" % (handler.headers.get("Host"), r.full_name)})
        return 201, {"repos": out} if "repos" in data else out[0]
    m = re.match(r"^repos/([^/]+)/([^/]+)(?:/(.*))?$", route)
    if m:
        r = w.repo(m.group(1), m.group(2))
        if r is None:
            return 404, {"error": "no repository %s/%s" % (m.group(1), m.group(2))}
        rest = m.group(3) or ""
        if rest == "" and method == "GET":
            return 200, {"full_name": r.full_name, "default_branch": r.default_branch, "archived": r.archived,
                         "empty": r.is_empty(), "gitdir": r.ensure_git(),
                         "branches": {ref[len("refs/heads/"):]: sha for ref, sha, _ in r.refs("refs/heads/")},
                         "labels": sorted(r.labels), "pulls": [_pr_state(p) for p in r.pulls.values()]}
        if rest == "" and method == "PATCH":
            for k in ("default_branch", "private", "visibility", "archived", "disabled", "fork", "topics",
                      "custom_properties", "description", "is_template"):
                if k in data:
                    setattr(r, k, data[k])
            if "name" in data:  # rename; the old name keeps resolving to it (state.py)
                try:
                    w.rename_repo(r, data["name"])
                except ValueError as e:
                    return 422, {"error": str(e)}
            return 200, {"full_name": r.full_name}
        if rest == "" and method == "DELETE":
            w.delete_repo(r)
            return 200, {"ok": True}
        if rest == "commits" and method == "POST":
            files = dict(data.get("files", {}))
            for d in data.get("deletions", []):
                files[d] = None
            try:
                sha = r.commit(data["branch"], files, message=data.get("message", "foreign commit"),
                               author=data.get("author") or {"name": "Someone Else", "email": "someone@github.invalid"},
                               create=bool(data.get("create_from")),
                               parent=r.branch_sha(data["create_from"]) if data.get("create_from") else None)
            except GitError as e:
                return 409, {"error": str(e)}
            return 201, {"sha": sha}
        if rest == "refs" and method == "POST":  # set a ref directly: {"ref", "sha"} or {"ref", "from": branch}
            sha = data.get("sha") or r.branch_sha(data["from"])
            r.update_ref(data["ref"], sha)
            return 201, {"ref": data["ref"], "sha": sha}
        if rest == "labels" and method == "POST":
            for lab in data.get("labels", []):
                lab = {"name": lab} if isinstance(lab, str) else lab
                r.labels[lab["name"]] = {"id": w.next_id(), "name": lab["name"],
                                         "color": lab.get("color", "ededed"), "description": lab.get("description")}
            return 200, {"labels": sorted(r.labels)}
        if rest == "pulls" and method == "POST":  # a human opens a PR (no API checks)
            pr = PR(r, r.next_number, data["head"], data.get("base", r.default_branch), data.get("title", "human PR"),
                    data.get("body"), bool(data.get("draft")), data.get("author", "human"),
                    data.get("head_owner", r.owner.login))
            r.next_number += 1
            r.pulls[pr.number] = pr
            return 201, _pr_state(pr)
        pm = re.match(r"^pulls/(\d+)(?:/(merge|close))?$", rest)
        if pm:
            pr = r.pulls.get(int(pm.group(1)))
            if pr is None:
                return 404, {"error": "no pull request"}
            act = pm.group(2)
            if act is None and method == "GET":
                return 200, _pr_state(pr)
            if act is None and method == "PATCH":
                for k in ("mergeable", "review_decision", "checks", "draft", "title", "body", "labels",
                          "assignees", "requested_reviewers", "requested_teams", "author"):
                    if k in data:
                        setattr(pr, k, data[k])
                for lab in pr.labels:
                    if lab not in r.labels:
                        r.labels[lab] = {"id": w.next_id(), "name": lab, "color": "ededed", "description": None}
                pr.touch()
                return 200, _pr_state(pr)
            if act == "merge":
                if pr.state != "open":
                    return 409, {"error": "pull request is not open"}
                sha = r.merge(pr.base, pr.head, data.get("message", "Merge pull request #%d" % pr.number))
                if sha is None:
                    return 409, {"error": "merge conflict"}
                pr.close(merged=True, merge_sha=sha)
                if data.get("delete_branch"):
                    r.delete_ref("refs/heads/" + pr.head)
                return 200, _pr_state(pr)
            if act == "close":
                pr.close()
                if data.get("delete_branch"):
                    r.delete_ref("refs/heads/" + pr.head)
                return 200, _pr_state(pr)

    # ------------------------------------------------------------ auth
    if route == "tokens" and method == "POST":
        exp = data.get("expires_in")
        t = Token(data["token"], "pat", login=data.get("login", "octocat"),
                  expires_at=(time.time() + exp) if exp is not None else None)
        w.tokens[t.value] = t
        w.user(t.login)
        return 201, {"token": t.value, "login": t.login}
    if route == "tokens/expire" and method == "POST":
        n = 0
        for t in w.tokens.values():
            if data.get("token") == t.value or (data.get("installation") and t.kind == "installation"):
                t.expires_at = time.time() - 1
                n += 1
        return 200, {"expired": n}
    if route == "tokens" and method == "GET":
        return 200, {"tokens": [{"kind": t.kind, "login": t.login, "expires_at": t.expires_at,
                                 "installation": t.installation.id if t.installation else None}
                                for t in w.tokens.values()]}
    if route == "app" and method == "POST":
        w.app = {"id": int(data.get("id", 1)), "slug": data.get("slug", "drydock-test"),
                 "client_id": data.get("client_id", "Iv1.standin"), "public_key": data["public_key"],
                 "token_lifetime": data.get("token_lifetime", 3600),
                 "permissions": data.get("permissions", DEFAULT_PERMISSIONS)}
        return 201, {"id": w.app["id"], "slug": w.app["slug"]}
    if route == "app" and method == "PATCH":
        w.app.update({k: v for k, v in data.items() if k in ("token_lifetime", "permissions")})
        return 200, {"ok": True}
    if route == "installations" and method == "POST":
        iid = int(data.get("id") or w.next_id())
        w.owner(data["owner"], data.get("owner_type", "Organization"), create=True)
        w.installations[iid] = Installation(iid, data["owner"], data.get("permissions", dict(DEFAULT_PERMISSIONS)),
                                            data.get("repos"))
        return 201, {"id": iid}

    # ------------------------------------------------------------ limits, faults
    if route == "limits" and method == "POST":
        with s.limits.lock:
            keep = {k: getattr(s.limits, k) for k in ("core_limit", "graphql_limit", "window", "primary_status",
                                                       "per_minute", "per_hour", "concurrent",
                                                       "secondary_status", "retry_after")}
            keep["primary_window"] = keep.pop("window")
            keep.update(data)
            buckets, content = s.limits.buckets, s.limits.content
            s.limits.reset(**keep)
            if not data.get("reset_counters"):
                s.limits.buckets, s.limits.content = buckets, content
        return 200, {k: getattr(s.limits, k) for k in ("core_limit", "graphql_limit", "per_minute", "per_hour",
                                                        "concurrent", "secondary_status", "retry_after")}
    if route == "faults" and method == "POST":
        with s.faults.lock:
            if data.get("replace", True):
                s.faults.rules = []
            s.faults.rules.extend(data.get("rules", []))
        return 200, {"rules": len(s.faults.rules)}
    if route == "faults" and method == "GET":
        return 200, {"rules": s.faults.rules}
    if route == "faults" and method == "DELETE":
        s.faults.rules = []
        return 200, {"rules": 0}

    # ------------------------------------------------------------ log
    if route == "log" and method == "GET":
        with s.log.lock:
            entries = list(s.log.entries)
        since = float(query.get("since", ["0"])[0])
        return 200, {"entries": [e for e in entries if e["t"] >= since]}
    if route == "log/summary":
        return 200, s.log.summary()
    if route == "violations":
        return 200, {"violations": list(s.log.violations), "unimplemented": list(s.log.unimplemented)}
    if route == "log/clear" and method == "POST":
        s.log.clear()
        return 200, {"ok": True}
    return 404, {"error": "no control route %s %s" % (method, path)}
