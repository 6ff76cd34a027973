"""GraphQL for the stand-in: documents validated against GitHub's published schema
(@octokit/graphql-schema schema.json, built with build_client_schema: the SDL has duplicate
fields), GitHub's connection rules, cost and `rateLimit`, executed against the state."""
import base64
import json
import threading
import time

from state import GitError, git, now_iso


class GHError(Exception):
    def __init__(self, message, type_):
        super().__init__(message)
        self.type = type_


def _cursor(i):
    return base64.b64encode(b"cursor:%d" % i).decode()


def _uncursor(c):
    return int(base64.b64decode(c).decode().split(":")[1])


def conn(items, first=None, last=None, after=None, before=None, name="connection", **_):
    if first is None and last is None:
        raise GHError("You must provide a `first` or `last` value to properly paginate the `%s` connection." % name,
                      "MISSING_PAGINATION_BOUNDARIES")
    for k, v in (("first", first), ("last", last)):
        if v is not None and not (0 <= v <= 100):
            raise GHError("Requested to fetch %d records from the `%s` connection exceeds the `%s` limit of 100 records." % (v, name, k),
                          "EXCESSIVE_PAGINATION")
    idx = list(range(len(items)))
    if after:
        idx = [i for i in idx if i > _uncursor(after)]
    if before:
        idx = [i for i in idx if i < _uncursor(before)]
    start_len = len(idx)
    if first is not None:
        idx = idx[:first]
    if last is not None:
        idx = idx[-last:] if last else []
    nodes = [items[i]() if callable(items[i]) else items[i] for i in idx]
    return {"nodes": nodes, "edges": [{"node": n, "cursor": _cursor(i)} for n, i in zip(nodes, idx)],
            "totalCount": len(items),
            "pageInfo": {"hasNextPage": bool(idx) and idx[-1] < len(items) - 1 and (first is not None and start_len > first),
                         "hasPreviousPage": bool(idx) and idx[0] > 0,
                         "startCursor": _cursor(idx[0]) if idx else None,
                         "endCursor": _cursor(idx[-1]) if idx else None}}


class GraphQL:
    def __init__(self, standin, schema_path):
        self.s = standin
        self.schema = None
        self.ready = threading.Event()
        self.error = None
        self.schema_path = schema_path

    def start_loading(self):
        """Build the schema in the background (~0.5 s); the first GraphQL request waits for it."""
        threading.Thread(target=self._load, daemon=True).start()

    def _load(self):
        try:
            from graphql import build_client_schema
            with open(self.schema_path) as f:
                d = json.load(f)
            self.schema = build_client_schema(d.get("data", d))
        except Exception as e:  # reported on first use
            self.error = e
        self.ready.set()

    # ------------------------------------------------------------------ entry
    def handle(self, req, tok, urls, ident):
        from graphql import (GraphQLError, OperationDefinitionNode, parse, specified_rules, validate)
        from graphql.execution import execute
        self.ready.wait()
        if self.error:
            raise self.error
        info = {"kind": "graphql-query", "repos": []}
        s = self.s
        try:
            doc = parse(req["query"])
        except GraphQLError as e:
            s.log.violation("request", "POST", "/graphql", ["syntax: " + e.message])
            return 200, {"errors": [e.formatted]}, info
        errors = validate(self.schema, doc, list(specified_rules) + [PaginationRule])
        ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
        name = req.get("operationName")
        op = next((o for o in ops if name is None or (o.name and o.name.value == name)), None)
        if op is not None and op.operation.value == "mutation":
            info["kind"] = "graphql-mutation"
        if errors:
            out = [self._fmt(e) for e in errors]
            s.log.violation("request", "POST", "/graphql", [e["message"] for e in out], "graphql")
            return 200, {"errors": out}, info
        variables = req.get("variables") or {}
        cost, nodes = cost_of(doc, op, variables)
        remaining, reset = s.limits.remaining(ident, "graphql")
        if remaining < cost:
            return 200, {"errors": [{"type": "RATE_LIMITED", "code": "graphql_rate_limit",
                                     "message": "API rate limit already exceeded for %s." % ident}]}, info
        if info["kind"] == "graphql-mutation":
            wait = s.limits.content_check(ident)
            if wait is not None:
                info["secondary_wait"] = wait
                return 403, None, info
        s.limits.charge(ident, "graphql", cost)
        ctx = {"tok": tok, "urls": urls, "info": info, "cost": cost, "nodes": nodes, "ident": ident}
        root = self._mutation_root(ctx) if info["kind"] == "graphql-mutation" else self._query_root(ctx)
        result = execute(self.schema, doc, root_value=root, variable_values=variables,
                         operation_name=name, context_value=ctx)
        body = {"data": result.data}
        if result.errors:
            body["errors"] = [self._fmt(e) for e in result.errors]
            for e in result.errors:
                if not isinstance(e.original_error, GHError):
                    # a field the stand-in does not serve, or a bug: not GitHub's fault, but visible
                    s.log.unimplemented.append({"method": "POST", "path": "/graphql", "operation": e.message,
                                                "graphql_path": e.path})
        return 200, body, info

    @staticmethod
    def _fmt(e):
        d = dict(e.formatted)
        orig = getattr(e, "original_error", None)
        if isinstance(orig, GHError):
            d["type"] = orig.type
        elif d.get("extensions", {}).get("type"):
            d["type"] = d["extensions"].pop("type")
            if not d["extensions"]:
                del d["extensions"]
        return d

    # ------------------------------------------------------------------ roots
    def _query_root(self, ctx):
        s = self.s
        tok = ctx["tok"]

        def repository(info, owner, name, followRenames=True):
            # The schema's default is true: an old name resolves to the repository, new name and all.
            r = s.world.repo_following_renames(owner, name) if followRenames else s.world.repo(owner, name)
            if r is None or not s.can_see(tok, r):
                raise GHError("Could not resolve to a Repository with the name '%s/%s'." % (owner, name), "NOT_FOUND")
            ctx["info"]["repos"].append(r.full_name)
            return self.repo_obj(r, ctx)

        def organization(info, login):
            o = s.world.owner(login)
            if o is None or o.kind != "Organization":
                raise GHError("Could not resolve to an Organization with the login of '%s'." % login, "NOT_FOUND")
            return self.owner_obj(o, ctx)

        def rate_limit(info, dryRun=False):
            rem, reset = s.limits.remaining(ctx["ident"], "graphql")
            return {"cost": ctx["cost"], "limit": s.limits.graphql_limit, "remaining": max(0, rem),
                    "used": s.limits.graphql_limit - rem, "resetAt": now_iso(reset), "nodeCount": ctx["nodes"]}

        viewer = {"__typename": "User", "login": getattr(tok, "login", None) or "standin",
                  "id": "U_viewer", "databaseId": 1}
        return {"repository": repository, "organization": organization, "rateLimit": rate_limit,
                "viewer": viewer}

    def _mutation_root(self, ctx):
        s = self.s
        tok = ctx["tok"]

        def writable(r):
            if r is None or not s.can_see(tok, r):
                raise GHError("Could not resolve to a Repository.", "NOT_FOUND")
            if not s.can_write(tok, r, "contents"):
                raise GHError("Resource not accessible by integration", "FORBIDDEN")
            if r.archived:
                raise GHError("Repository was archived so is read-only.", "FORBIDDEN")
            ctx["info"]["repos"].append(r.full_name)
            return r

        def create_commit_on_branch(info, input):
            br = input["branch"]
            if br.get("repositoryNameWithOwner"):
                o, _, n = br["repositoryNameWithOwner"].partition("/")
                r = s.world.repo(o, n)
            else:
                r = s.world.repo_by_node(br.get("repositoryId"))
            r = writable(r)
            changes = input.get("fileChanges") or {}
            files = {}
            for a in changes.get("additions") or []:
                files[a["path"]] = base64.b64decode(a["contents"])
            for d in changes.get("deletions") or []:
                files[d["path"]] = None
            if getattr(tok, "kind", None) == "installation" and tok.permissions.get("workflows") != "write":
                wf = [p for p in files if p.startswith(".github/workflows/")]
                if wf:
                    raise GHError("refusing to allow a GitHub App to create or update workflow `%s` without `workflows` permission" % wf[0],
                                  "FORBIDDEN")
            msg = input["message"]["headline"] + ("\n\n" + input["message"]["body"] if input["message"].get("body") else "")
            with r.lock:
                tip = r.branch_sha(br["branchName"])
                if tip is None:
                    raise GHError("A ref named \"refs/heads/%s\" does not exist." % br["branchName"], "NOT_FOUND")
                if tip != input["expectedHeadOid"]:
                    raise GHError("Expected branch to point to \"%s\" but it did not. Pull and try again." % input["expectedHeadOid"],
                                  "STALE_DATA")
                login = getattr(tok, "login", None) or "standin"
                sha = r.commit(br["branchName"], files, message=msg, expected=tip,
                               author={"name": login, "email": "%s@users.noreply.github.invalid" % login,
                                       "committer_name": "GitHub", "committer_email": "noreply@github.com"})
            return {"clientMutationId": input.get("clientMutationId"), "commit": self.commit_obj(r, sha, ctx),
                    "ref": self.ref_obj(r, "refs/heads/" + br["branchName"], ctx)}

        def create_ref(info, input):
            r = writable(s.world.repo_by_node(input["repositoryId"]))
            name = input["name"]
            if not name.startswith("refs/"):
                raise GHError("A ref name must start with `refs/`.", "UNPROCESSABLE")
            with r.lock:
                if r.ref_sha(name):
                    raise GHError("A ref named \"%s\" already exists in the repository." % name, "UNPROCESSABLE")
                try:
                    r.update_ref(name, input["oid"], "0" * 40)
                except GitError:
                    raise GHError("Could not resolve to a GitObject with the oid %s." % input["oid"], "NOT_FOUND")
            return {"clientMutationId": input.get("clientMutationId"), "ref": self.ref_obj(r, name, ctx)}

        def update_ref(info, input):
            rid, _, name = base64.b64decode(input["refId"].split("_", 1)[1]).decode().partition(":")
            r = writable(s.world.repo_by_node(rid))
            with r.lock:
                old = r.ref_sha(name)
                if old is None:
                    raise GHError("Could not resolve to a Ref.", "NOT_FOUND")
                if not input.get("force"):
                    if git(r.gitdir, "merge-base", "--is-ancestor", old, input["oid"], check=False) is None:
                        raise GHError("Update is not a fast-forward", "UNPROCESSABLE")
                r.update_ref(name, input["oid"], old)
            return {"clientMutationId": input.get("clientMutationId"), "ref": self.ref_obj(r, name, ctx)}

        return {"createCommitOnBranch": create_commit_on_branch, "createRef": create_ref, "updateRef": update_ref}

    # ------------------------------------------------------------------ objects
    def owner_obj(self, o, ctx):
        s = self.s

        def repositories(info, **a):
            repos = sorted((r for r in s.world.repos_of(o.login) if s.can_see(ctx["tok"], r)), key=lambda r: r.id)
            for flag, attr in (("isArchived", "archived"), ("isFork", "fork")):
                if a.get(flag) is not None:
                    repos = [r for r in repos if getattr(r, attr) == a[flag]]
            return conn([lambda r=r: self.repo_obj(r, ctx) for r in repos], name="repositories", **a)
        return {"__typename": o.kind, "login": o.login, "id": "O_stand%d" % o.id, "databaseId": o.id,
                "repositories": repositories}

    def repo_obj(self, r, ctx):
        urls = ctx["urls"]

        def pull_requests(info, states=None, headRefName=None, baseRefName=None, labels=None, orderBy=None, **a):
            prs = list(r.pulls.values())
            if states:
                prs = [p for p in prs if self.pr_state(p) in states]
            if headRefName is not None:
                prs = [p for p in prs if p.head == headRefName]
            if baseRefName is not None:
                prs = [p for p in prs if p.base == baseRefName]
            if labels:
                prs = [p for p in prs if set(labels) & set(p.labels)]
            field = (orderBy or {}).get("field", "CREATED_AT")
            key = (lambda p: (p.updated_at, p.number)) if field == "UPDATED_AT" else (lambda p: (p.created_at, p.number))
            prs.sort(key=key, reverse=(orderBy or {}).get("direction") == "DESC")
            return conn([lambda p=p: self.pr_obj(p, ctx) for p in prs], name="pullRequests", **a)

        def topics(info, **a):
            return conn([{"topic": {"name": t, "id": "T_" + t}, "id": "RT_" + t} for t in r.topics],
                        name="repositoryTopics", **a)

        def ref(info, qualifiedName):
            name = qualifiedName if qualifiedName.startswith("refs/") else "refs/heads/" + qualifiedName
            return self.ref_obj(r, name, ctx) if r.ref_sha(name) else None

        def default_ref(info):
            return None if r.is_empty() else self.ref_obj(r, "refs/heads/" + r.default_branch, ctx)

        def label(info, name):
            lab = next((v for k, v in r.labels.items() if k.lower() == name.lower()), None)
            return {"id": "LA_stand%d" % lab["id"], "name": lab["name"], "color": lab["color"]} if lab else None

        return {"__typename": "Repository", "id": r.node_id, "databaseId": r.id, "name": r.name,
                "nameWithOwner": r.full_name, "owner": self.owner_obj(r.owner, ctx),
                "url": "%s/%s" % (urls.base, r.full_name), "isArchived": r.archived, "isFork": r.fork,
                "isDisabled": r.disabled, "isEmpty": lambda info: r.is_empty(), "isPrivate": r.private,
                "isTemplate": r.is_template, "isLocked": False, "visibility": r.visibility.upper(),
                "pushedAt": r.pushed_at, "createdAt": r.created_at, "updatedAt": r.pushed_at,
                "viewerPermission": "ADMIN", "description": r.description,
                "defaultBranchRef": default_ref, "ref": ref, "pullRequests": pull_requests,
                "repositoryTopics": topics, "label": label}

    @staticmethod
    def pr_state(p):
        return "MERGED" if p.merged else ("CLOSED" if p.state == "closed" else "OPEN")

    def pr_obj(self, p, ctx):
        r, urls = p.repo, ctx["urls"]

        def commits(info, **a):
            head = p.head_sha()
            if p.state == "open":
                out = git(r.gitdir, "rev-list", "--reverse", "refs/heads/%s..%s" % (p.base, head), check=False) or ""
                shas = [x for x in out.split() if x] or [head]
            else:
                shas = [head]
            return conn([lambda sha=sha: {"id": "PRC_" + sha, "commit": self.commit_obj(r, sha, ctx, p if sha == head else None)}
                         for sha in shas], name="commits", **a)

        def labels(info, **a):
            return conn([{"id": "LA_stand%d" % r.labels[n]["id"], "name": n, "color": r.labels[n]["color"]}
                         for n in p.labels if n in r.labels], name="labels", **a)

        return {"__typename": "PullRequest", "id": "PR_stand%d" % p.id, "databaseId": p.id, "number": p.number,
                "url": "%s/%s/pull/%d" % (urls.base, r.full_name, p.number), "title": p.title, "body": p.body or "",
                "state": self.pr_state(p), "isDraft": p.draft, "closed": p.state == "closed", "merged": p.merged,
                "createdAt": p.created_at, "updatedAt": p.updated_at, "closedAt": p.closed_at, "mergedAt": p.merged_at,
                "mergeable": {True: "MERGEABLE", False: "CONFLICTING"}.get(p.mergeable, "UNKNOWN"),
                "mergeStateStatus": {True: "CLEAN", False: "DIRTY"}.get(p.mergeable, "UNKNOWN"),
                "reviewDecision": p.review_decision, "headRefName": p.head, "baseRefName": p.base,
                "headRefOid": lambda info: p.head_sha(), "headRepositoryOwner": {"__typename": r.owner.kind, "login": p.head_owner,
                                                                     "id": "O_h", "url": urls.base + "/" + p.head_owner},
                "author": {"__typename": "User", "login": p.author, "url": "%s/%s" % (urls.base, p.author)},
                "repository": lambda info: self.repo_obj(r, ctx),
                "statusCheckRollup": ({"state": p.checks, "id": "SCR_%d" % p.id} if p.checks else None),
                "commits": commits, "labels": labels}

    def commit_obj(self, r, sha, ctx, pr=None):
        ci = None

        def lazy(key):
            def f(info):
                nonlocal ci
                if ci is None:
                    ci = r.commit_info(sha)
                return key(ci)
            return f
        rollup = None
        if pr is not None and pr.checks:
            rollup = {"state": pr.checks, "id": "SCR_%d" % pr.id}
        return {"__typename": "Commit", "oid": sha, "id": "C_" + sha, "abbreviatedOid": sha[:7],
                "url": "%s/%s/commit/%s" % (ctx["urls"].base, r.full_name, sha),
                "message": lazy(lambda c: c["message"]), "messageHeadline": lazy(lambda c: c["message"].split("\n")[0]),
                "committedDate": lazy(lambda c: c["committer"]["date"]),
                "author": lazy(lambda c: {"name": c["author"]["name"], "email": c["author"]["email"], "date": c["author"]["date"]}),
                "committer": lazy(lambda c: {"name": c["committer"]["name"], "email": c["committer"]["email"], "date": c["committer"]["date"]}),
                "statusCheckRollup": rollup}

    def ref_obj(self, r, name, ctx):
        sha = r.ref_sha(name)
        short = name.split("/", 2)[2] if name.count("/") >= 2 else name
        return {"__typename": "Ref", "id": "REF_" + base64.b64encode(("%s:%s" % (r.node_id, name)).encode()).decode(),
                "name": short, "prefix": name[: len(name) - len(short)],
                "target": self.commit_obj(r, sha, ctx) if sha else None}


# ---------------------------------------------------------------------- GitHub's connection rule

def _pagination_rule():
    from graphql import GraphQLError, get_named_type
    from graphql.validation import ValidationRule

    class PaginationRule(ValidationRule):
        def enter_field(self, node, *_):
            fdef = self.context.get_field_def()
            if fdef is None:
                return
            t = get_named_type(fdef.type)
            if not t.name.endswith("Connection") or "first" not in fdef.args:
                return
            given = {a.name.value for a in node.arguments or []}
            if not given & {"first", "last"}:
                self.report_error(GraphQLError(
                    "You must provide a `first` or `last` value to properly paginate the `%s` connection." % node.name.value,
                    node, extensions={"type": "MISSING_PAGINATION_BOUNDARIES"}))
    return PaginationRule


PaginationRule = _pagination_rule()


# ---------------------------------------------------------------------- cost

def cost_of(doc, op, variables):
    """GitHub's documented cost: connection requests (assuming full pages) / 100, minimum 1."""
    from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, IntValueNode, VariableNode
    frags = {d.name.value: d for d in doc.definitions if d.kind == "fragment_definition"}
    total = [0, 0]

    def argval(node, name):
        for a in node.arguments or []:
            if a.name.value == name:
                if isinstance(a.value, IntValueNode):
                    return int(a.value.value)
                if isinstance(a.value, VariableNode):
                    v = variables.get(a.value.name.value)
                    return int(v) if isinstance(v, int) else None
        return None

    def walk(sel_set, mult, seen):
        if sel_set is None:
            return
        for sel in sel_set.selections:
            if isinstance(sel, FieldNode):
                n = argval(sel, "first") or argval(sel, "last")
                if n is not None:
                    total[0] += mult
                    total[1] += mult * n
                    walk(sel.selection_set, mult * n, seen)
                else:
                    walk(sel.selection_set, mult, seen)
            elif isinstance(sel, InlineFragmentNode):
                walk(sel.selection_set, mult, seen)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                f = frags.get(sel.name.value)
                if f:
                    walk(f.selection_set, mult, seen | {sel.name.value})
    if op is not None:
        walk(op.selection_set, 1, frozenset())
    return max(1, round(total[0] / 100)), total[1]
