"""REST operations the stand-in implements, keyed by OpenAPI operationId. Each handler gets a Ctx
and returns (status, body[, headers]) or raises HTTPError."""
import secrets
import time
import urllib.parse

from objects import (installation_json, issue_json, label_json, owner_json, pr_json, ref_json,
                     repo_json, user_json)
from state import PR, GitError, Token, now_iso

HANDLERS = {}


def op(*ids):
    def deco(f):
        for i in ids:
            HANDLERS[i] = f
        return f
    return deco


def _err():
    from common import HTTPError
    return HTTPError


def not_found():
    return _err()(404, "Not Found")


def validation(errors, message="Validation Failed"):
    return _err()(422, message, errors=errors)


class Ctx:
    def __init__(self, standin, method, path_params, query, body, token, urls, link_base):
        self.s, self.world = standin, standin.world
        self.method, self.p, self.query, self.body = method, path_params, query, body
        self.token, self.urls, self.link_base = token, urls, link_base
        self.repo_name = None

    def q(self, name, default=None):
        v = self.query.get(name)
        return v[-1] if v else default

    def need_user(self):
        if self.token is None:
            raise _err()(401, "Requires authentication")
        if self.token == "app":
            raise _err()(401, "A JSON web token could not be decoded")  # JWT on a non-app route

    def need_app(self):
        if self.token != "app":
            raise _err()(401, "A JSON web token could not be decoded")

    def repo(self, write=None):
        r = self.world.repo(self.p["owner"], self.p["repo"])
        self.repo_name = r.full_name if r else "%s/%s" % (self.p["owner"], self.p["repo"])
        if self.token == "app":
            raise _err()(401, "A JSON web token could not be decoded")
        if r is None:
            moved = self.world.renamed.get((self.p["owner"].lower(), self.p["repo"].lower()))
            if moved is not None and self.s.can_see(self.token, moved):
                raise self.moved(moved)
        if r is None or not self.s.can_see(self.token, r):
            raise not_found()
        if write:
            self.need_user()
            if not self.s.can_write(self.token, r, write):
                raise _err()(403, "Resource not accessible by integration")
            if r.archived:
                raise _err()(403, "Repository was archived so is read-only.")
        return r

    def moved(self, r):
        """GitHub's answer on a renamed repository's old name: 301 (307 for a write) to
        `/repositories/{id}/...`. That path is not in the OpenAPI description, so the stand-in
        only names it (a client that follows it is told so by a violation)."""
        self.repo_name = r.full_name
        prefix = "/repos/%s/%s" % (self.p["owner"], self.p["repo"])
        path = urllib.parse.urlsplit(self.link_base).path
        rest = path[path.lower().index(prefix.lower()) + len(prefix):] if prefix.lower() in path.lower() else ""
        location = "%s/repositories/%d%s" % (self.urls.api, r.id, rest)
        if self.method in ("GET", "HEAD"):
            return _err()(301, "Moved Permanently", headers={"Location": location})
        return _err()(307, "Temporary Redirect", headers={"Location": location})

    def paginate(self, items):
        per_page = min(int(self.q("per_page", 30)), 100)
        page = max(int(self.q("page", 1)), 1)
        last = max(1, (len(items) + per_page - 1) // per_page)
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []

        def url(n):
            q = {k: v[-1] for k, v in self.query.items()}
            q["page"] = str(n)
            return "<%s?%s>" % (self.link_base, urllib.parse.urlencode(q))
        if page < last:
            links += [url(page + 1) + '; rel="next"', url(last) + '; rel="last"']
        if page > 1:
            links = [url(1) + '; rel="first"', url(page - 1) + '; rel="prev"'] + links
        return chunk, ({"Link": ", ".join(links)} if links else {})


# ---------------------------------------------------------------------------------- repositories

@op("repos/get")
def repos_get(c):
    return 200, repo_json(c.repo(), c.urls, full=True)


def _sorted_repos(c, repos, default_sort):
    sort = c.q("sort", default_sort)
    direction = c.q("direction", "asc" if sort == "full_name" else "desc")
    key = {"full_name": lambda r: r.full_name.lower(), "created": lambda r: (r.created_at, r.id),
           "updated": lambda r: (r.pushed_at, r.id), "pushed": lambda r: (r.pushed_at, r.id)}[sort]
    return sorted(repos, key=key, reverse=(direction == "desc"))


@op("repos/list-for-org")
def repos_list_for_org(c):
    c.need_user()
    o = c.world.owner(c.p["org"])
    if o is None or o.kind != "Organization":
        raise not_found()
    t = c.q("type", "all")
    repos = [r for r in c.world.repos_of(o.login) if c.s.can_see(c.token, r)]
    repos = [r for r in repos if t in ("all", "member") or (t == "public" and not r.private)
             or (t == "private" and r.private) or (t == "forks" and r.fork) or (t == "sources" and not r.fork)]
    chunk, h = c.paginate(_sorted_repos(c, repos, "created"))
    return 200, [repo_json(r, c.urls) for r in chunk], h


@op("repos/list-for-user")
def repos_list_for_user(c):
    c.need_user()
    o = c.world.owner(c.p["username"])
    if o is None:
        raise not_found()
    repos = [r for r in c.world.repos_of(o.login) if c.s.can_see(c.token, r)]
    chunk, h = c.paginate(_sorted_repos(c, repos, "full_name"))
    return 200, [repo_json(r, c.urls) for r in chunk], h


@op("orgs/custom-properties-for-repos-get-organization-values")
def props_values(c):
    c.need_user()
    o = c.world.owner(c.p["org"])
    if o is None or o.kind != "Organization":
        raise not_found()
    repos = sorted((r for r in c.world.repos_of(o.login) if c.s.can_see(c.token, r)), key=lambda r: r.id)
    chunk, h = c.paginate(repos)
    return 200, [{"repository_id": r.id, "repository_name": r.name, "repository_full_name": r.full_name,
                  "properties": [{"property_name": k, "value": v} for k, v in sorted(r.custom_properties.items())]}
                 for r in chunk], h


# ---------------------------------------------------------------------------------- pull requests

def _pr(c, r):
    pr = r.pulls.get(int(c.p.get("pull_number") or c.p.get("issue_number")))
    if pr is None:
        raise not_found()
    return pr


def _head(r, head):
    owner, _, branch = head.rpartition(":")
    return (owner or r.owner.login), branch


@op("pulls/list")
def pulls_list(c):
    r = c.repo()
    state = c.q("state", "open")
    prs = list(r.pulls.values())
    if state != "all":
        prs = [p for p in prs if p.state == state]
    head = c.q("head")
    if head and ":" in head:   # GitHub silently ignores a head without `owner:`
        ho, hb = _head(r, head)
        prs = [p for p in prs if p.head == hb and p.head_owner.lower() == ho.lower()]
    if c.q("base"):
        prs = [p for p in prs if p.base == c.q("base")]
    sort = c.q("sort", "created")
    key = {"created": lambda p: (p.created_at, p.number), "updated": lambda p: (p.updated_at, p.number),
           "popularity": lambda p: p.number, "long-running": lambda p: p.number}[sort]
    prs.sort(key=key, reverse=(c.q("direction", "desc") == "desc"))
    chunk, h = c.paginate(prs)
    return 200, [pr_json(p, c.urls, c.world, simple=True) for p in chunk], h


@op("pulls/create")
def pulls_create(c):
    r = c.repo(write="pull_requests")
    b = c.body
    ho, hb = _head(r, b["head"])
    base = b["base"]
    with r.lock:
        if ho.lower() != r.owner.login.lower() or r.branch_sha(hb) is None:
            raise validation([{"resource": "PullRequest", "field": "head", "code": "invalid"}])
        if r.branch_sha(base) is None:
            raise validation([{"resource": "PullRequest", "field": "base", "code": "invalid"}])
        for p in r.pulls.values():
            if p.state == "open" and p.head == hb and p.base == base:
                raise validation([{"resource": "PullRequest", "code": "custom",
                                   "message": "A pull request already exists for %s:%s." % (ho, hb)}])
        if r.commits_between("refs/heads/" + base, "refs/heads/" + hb) == 0:
            raise validation([{"resource": "PullRequest", "code": "custom",
                               "message": "No commits between %s and %s" % (base, hb)}])
        pr = PR(r, r.next_number, hb, base, b.get("title", ""), b.get("body"), bool(b.get("draft")),
                c.token.login or "standin-app[bot]", ho)
        r.next_number += 1
        r.pulls[pr.number] = pr
    body = pr_json(pr, c.urls, c.world)
    return 201, body, {"Location": body["url"]}


@op("pulls/get")
def pulls_get(c):
    return 200, pr_json(_pr(c, c.repo()), c.urls, c.world)


@op("pulls/update")
def pulls_update(c):
    r = c.repo(write="pull_requests")
    pr = _pr(c, r)
    b = c.body or {}
    with r.lock:
        if "state" in b and b["state"] != pr.state:
            if pr.merged:
                raise validation([{"resource": "PullRequest", "code": "custom",
                                   "message": "state cannot be changed. The pull request has been merged."}])
            if b["state"] == "closed":
                pr.close()
            else:
                if r.branch_sha(pr.head) is None:
                    raise validation([{"resource": "PullRequest", "code": "custom",
                                       "message": "state cannot be changed. The %s branch has been deleted." % pr.head}])
                pr.state, pr.closed_at, pr.frozen_head_sha = "open", None, None
        if "base" in b:
            if r.branch_sha(b["base"]) is None:
                raise validation([{"resource": "PullRequest", "field": "base", "code": "invalid"}])
            pr.base = b["base"]
        for k in ("title", "body"):
            if k in b:
                setattr(pr, k, b[k])
        pr.touch()
    return 200, pr_json(pr, c.urls, c.world)


# ---------------------------------------------------------------------------------- labels

def _issue(c, r):
    pr = r.pulls.get(int(c.p["issue_number"]))
    if pr is None:
        raise not_found()
    return pr


def _label_names(body):
    if isinstance(body, dict):
        body = body.get("labels", [])
    return [x["name"] if isinstance(x, dict) else x for x in body]


def _ensure_label(c, r, name):
    for k in r.labels:
        if k.lower() == name.lower():
            return k
    r.labels[name] = {"id": c.world.next_id(), "name": name, "color": "ededed", "description": None}
    return name


@op("issues/list-labels-on-issue")
def labels_on_issue(c):
    r = c.repo()
    pr = _issue(c, r)
    chunk, h = c.paginate(pr.labels)
    return 200, [label_json(r, r.labels[n], c.urls) for n in chunk], h


@op("issues/add-labels", "issues/set-labels")
def labels_add(c, replace=None):
    r = c.repo(write="issues" if c.token and c.token != "app" and c.token.permissions.get("issues") == "write" else "pull_requests")
    pr = _issue(c, r)
    with r.lock:
        names = [_ensure_label(c, r, n) for n in _label_names(c.body or [])]
        if c.method == "PUT":
            pr.labels = []
        for n in names:
            if n not in pr.labels:
                pr.labels.append(n)
        pr.touch()
    return 200, [label_json(r, r.labels[n], c.urls) for n in pr.labels]


@op("issues/remove-label")
def labels_remove(c):
    r = c.repo(write="issues" if c.token and c.token != "app" and c.token.permissions.get("issues") == "write" else "pull_requests")
    pr = _issue(c, r)
    name = c.p["name"]
    hit = [n for n in pr.labels if n.lower() == name.lower()]
    if not hit:
        raise _err()(404, "Label does not exist")
    pr.labels.remove(hit[0])
    pr.touch()
    return 200, [label_json(r, r.labels[n], c.urls) for n in pr.labels]


@op("issues/list-labels-for-repo")
def labels_repo(c):
    r = c.repo()
    chunk, h = c.paginate(sorted(r.labels))
    return 200, [label_json(r, r.labels[n], c.urls) for n in chunk], h


@op("issues/create-label")
def labels_create(c):
    r = c.repo(write="issues")
    if any(k.lower() == c.body["name"].lower() for k in r.labels):
        raise validation([{"resource": "Label", "code": "already_exists", "field": "name"}])
    r.labels[c.body["name"]] = {"id": c.world.next_id(), "name": c.body["name"],
                                "color": c.body.get("color", "ededed"), "description": c.body.get("description")}
    return 201, label_json(r, r.labels[c.body["name"]], c.urls)


# ---------------------------------------------------------------------------------- assignees

MAX_ASSIGNEES = 10  # GitHub: "Adds up to 10 assignees to an issue"


def _issue_write(c):
    return c.repo(write="issues" if c.token and c.token != "app" and c.token.permissions.get("issues") == "write" else "pull_requests")


def _logins(body):
    return [x["login"] if isinstance(x, dict) else x for x in (body or {}).get("assignees", [])]


@op("issues/add-assignees")
def assignees_add(c):
    """Adds (users already assigned stay; the same login again changes nothing); beyond ten
    assignees the rest are ignored, as GitHub ignores what it cannot assign."""
    r = _issue_write(c)
    pr = _issue(c, r)
    with r.lock:
        for login in _logins(c.body):
            login = c.world.user(login)["login"]
            if login not in pr.assignees and len(pr.assignees) < MAX_ASSIGNEES:
                pr.assignees.append(login)
        pr.touch()
    return 201, issue_json(pr, c.urls, c.world)


@op("issues/remove-assignees")
def assignees_remove(c):
    r = _issue_write(c)
    pr = _issue(c, r)
    with r.lock:
        gone = {l.lower() for l in _logins(c.body)}
        pr.assignees = [l for l in pr.assignees if l.lower() not in gone]
        pr.touch()
    return 200, issue_json(pr, c.urls, c.world)


# ---------------------------------------------------------------------------------- reviewers

@op("pulls/request-reviewers")
def reviewers_add(c):
    r = c.repo(write="pull_requests")
    pr = _pr(c, r)
    b = c.body or {}
    if pr.author in b.get("reviewers", []):
        raise validation([], "Review cannot be requested from pull request author.")
    for u in b.get("reviewers", []):
        if u not in pr.requested_reviewers:
            pr.requested_reviewers.append(u)
    for t in b.get("team_reviewers", []):
        if t not in pr.requested_teams:
            pr.requested_teams.append(t)
    pr.touch()
    return 201, pr_json(pr, c.urls, c.world, simple=True)


@op("pulls/remove-requested-reviewers")
def reviewers_remove(c):
    r = c.repo(write="pull_requests")
    pr = _pr(c, r)
    b = c.body or {}
    pr.requested_reviewers = [u for u in pr.requested_reviewers if u not in b.get("reviewers", [])]
    pr.requested_teams = [t for t in pr.requested_teams if t not in b.get("team_reviewers", [])]
    return 200, pr_json(pr, c.urls, c.world, simple=True)


@op("pulls/list-requested-reviewers")
def reviewers_list(c):
    pr = _pr(c, c.repo())
    full = pr_json(pr, c.urls, c.world, simple=True)
    return 200, {"users": full["requested_reviewers"], "teams": full["requested_teams"]}


# ---------------------------------------------------------------------------------- comments

def _comment_json(c, r, cm):
    return {"id": cm["id"], "node_id": "IC_stand%d" % cm["id"], "body": cm["body"],
            "user": user_json(c.world.user(cm["user"]), c.urls), "created_at": cm["created_at"],
            "updated_at": cm["created_at"], "author_association": "NONE",
            "url": "%s/repos/%s/issues/comments/%d" % (c.urls.api, r.full_name, cm["id"]),
            "html_url": "%s/%s/pull/%d#issuecomment-%d" % (c.urls.base, r.full_name, cm["number"], cm["id"]),
            "issue_url": "%s/repos/%s/issues/%d" % (c.urls.api, r.full_name, cm["number"])}


@op("issues/create-comment")
def comments_create(c):
    r = c.repo(write="issues" if c.token and c.token != "app" and c.token.permissions.get("issues") == "write" else "pull_requests")
    pr = _issue(c, r)
    cm = {"id": c.world.next_id(), "body": c.body["body"], "user": c.token.login or "standin-app[bot]",
          "created_at": now_iso(), "number": pr.number}
    r.comments.setdefault(pr.number, []).append(cm)
    body = _comment_json(c, r, cm)
    return 201, body, {"Location": body["url"]}


@op("issues/list-comments")
def comments_list(c):
    r = c.repo()
    pr = _issue(c, r)
    chunk, h = c.paginate(r.comments.get(pr.number, []))
    return 200, [_comment_json(c, r, cm) for cm in chunk], h


# ---------------------------------------------------------------------------------- git refs

def _refname(ref):
    return ref if ref.startswith("refs/") else "refs/" + ref


@op("git/get-ref")
def git_get_ref(c):
    r = c.repo()
    name = _refname(c.p["ref"])
    for ref, sha, typ in r.refs(name):
        if ref == name:
            return 200, ref_json(r, ref, sha, typ, c.urls)
    raise not_found()


@op("git/list-matching-refs")
def git_matching(c):
    r = c.repo()
    name = _refname(c.p["ref"])
    return 200, [ref_json(r, ref, sha, typ, c.urls) for ref, sha, typ in r.refs("refs/") if ref.startswith(name)]


@op("git/create-ref")
def git_create_ref(c):
    r = c.repo(write="contents")
    ref, sha = c.body["ref"], c.body["sha"]
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise validation([], "Reference name must start with 'refs/' and have at least two slashes.")
    with r.lock:
        if r.ref_sha(ref):
            raise validation([], "Reference already exists")
        try:
            r.update_ref(ref, sha, "0" * 40)
        except GitError:
            raise validation([], "Object does not exist")
    body = ref_json(r, ref, sha, "commit", c.urls)
    return 201, body, {"Location": body["url"]}


@op("git/update-ref")
def git_update_ref(c):
    r = c.repo(write="contents")
    name = _refname(c.p["ref"])
    with r.lock:
        old = r.ref_sha(name)
        if old is None:
            raise validation([], "Reference does not exist")
        new = c.body["sha"]
        if not c.body.get("force"):
            from state import git
            if git(r.gitdir, "merge-base", "--is-ancestor", old, new, check=False) is None:
                raise validation([], "Update is not a fast forward")
        try:
            r.update_ref(name, new, old)
        except GitError:
            raise validation([], "Object does not exist")
    return 200, ref_json(r, name, new, "commit", c.urls)


@op("git/delete-ref")
def git_delete_ref(c):
    r = c.repo(write="contents")
    name = _refname(c.p["ref"])
    with r.lock:
        if r.ref_sha(name) is None:
            raise validation([], "Reference does not exist")
        r.delete_ref(name)
    return 204, None


# ---------------------------------------------------------------------------------- the App

def _app_json(c):
    a = c.world.app
    o = c.world.owner(a.get("owner", "standin"), "Organization", create=True)
    return {"id": a["id"], "slug": a["slug"], "client_id": a.get("client_id", "Iv1.standin"),
            "node_id": "A_stand%d" % a["id"], "owner": owner_json(o, c.urls), "name": a["slug"],
            "description": None, "external_url": c.urls.base, "html_url": "%s/apps/%s" % (c.urls.base, a["slug"]),
            "created_at": now_iso(0), "updated_at": now_iso(0), "permissions": dict(a.get("permissions", {})),
            "events": []}


@op("apps/get-authenticated")
def app_get(c):
    c.need_app()
    return 200, _app_json(c)


@op("apps/list-installations")
def app_installations(c):
    c.need_app()
    chunk, h = c.paginate(sorted(c.world.installations.values(), key=lambda i: i.id))
    return 200, [installation_json(i, c.world, c.urls) for i in chunk], h


def _installation_for(c, login, repo=None):
    c.need_app()
    for i in c.world.installations.values():
        if i.owner.lower() == login.lower() and (repo is None or i.repos is None or repo.lower() in {n.lower() for n in i.repos}):
            return 200, installation_json(i, c.world, c.urls)
    raise not_found()


@op("apps/get-org-installation")
def app_org_inst(c):
    o = c.world.owner(c.p["org"])
    if o is None or o.kind != "Organization":
        c.need_app()
        raise not_found()
    return _installation_for(c, c.p["org"])


@op("apps/get-user-installation")
def app_user_inst(c):
    return _installation_for(c, c.p["username"])


@op("apps/get-repo-installation")
def app_repo_inst(c):
    if c.world.repo(c.p["owner"], c.p["repo"]) is None:
        c.need_app()
        raise not_found()
    return _installation_for(c, c.p["owner"], c.p["repo"])


@op("apps/create-installation-access-token")
def app_token(c):
    c.need_app()
    inst = c.world.installations.get(int(c.p["installation_id"]))
    if inst is None:
        raise not_found()
    lifetime = c.world.app.get("token_lifetime", 3600)
    perms = dict(inst.permissions)
    if c.body and c.body.get("permissions"):
        perms = {k: v for k, v in c.body["permissions"].items()}
    value = "ghs_" + secrets.token_hex(18)
    expires = time.time() + lifetime
    c.world.tokens[value] = Token(value, "installation", login=c.world.app["slug"] + "[bot]",
                                  installation=inst, expires_at=expires, permissions=perms)
    return 201, {"token": value, "expires_at": now_iso(expires), "permissions": perms,
                 "repository_selection": "all" if inst.repos is None else "selected"}


@op("apps/list-repos-accessible-to-installation")
def inst_repos(c):
    c.need_user()
    if c.token.kind != "installation":
        raise _err()(403, "You must authenticate with an installation access token in order to list repositories for an installation.")
    repos = sorted((r for r in c.world.repos_of(c.token.installation.owner) if c.s.can_see(c.token, r)), key=lambda r: r.id)
    chunk, h = c.paginate(repos)
    return 200, {"total_count": len(repos), "repositories": [repo_json(r, c.urls) for r in chunk]}, h


# ---------------------------------------------------------------------------------- misc

@op("rate-limit/get")
def rate_limit(c):
    ident = c.s.identity(c.token)
    res = {}
    for name in ("core", "graphql", "search", "code_search", "integration_manifest"):
        h = c.s.limits.headers(ident, "graphql" if name == "graphql" else "core") if name in ("core", "graphql") else None
        if h:
            res[name] = {"limit": int(h["x-ratelimit-limit"]), "remaining": int(h["x-ratelimit-remaining"]),
                         "used": int(h["x-ratelimit-used"]), "reset": int(h["x-ratelimit-reset"])}
        else:
            res[name] = {"limit": 30, "remaining": 30, "used": 0, "reset": int(time.time()) + 60}
    return 200, {"resources": res, "rate": res["core"]}


@op("users/get-authenticated")
def user_get(c):
    c.need_user()
    if c.token.kind == "installation":
        raise _err()(403, "Resource not accessible by integration")
    u = user_json(c.world.user(c.token.login), c.urls)
    u.update({"name": None, "company": None, "blog": "", "location": None, "email": None, "hireable": None,
              "bio": None, "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
              "created_at": now_iso(0), "updated_at": now_iso(0), "private_gists": 0,
              "total_private_repos": 0, "owned_private_repos": 0, "disk_usage": 0, "collaborators": 0,
              "two_factor_authentication": False})
    return 200, u
