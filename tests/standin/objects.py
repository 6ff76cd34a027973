"""GitHub-shaped JSON for the stand-in's state. Only the fields that carry meaning are set here;
openapi.fill() completes every other required field, and the response is then validated."""


class Urls:
    def __init__(self, base, api):
        self.base = base.rstrip("/")   # html + git host, e.g. http://127.0.0.1:PORT
        self.api = api.rstrip("/")     # API root as the client used it (…/api/v3 for GHES)


def user_json(u, urls, kind="User"):
    login = u["login"] if isinstance(u, dict) else u.login
    uid = u["id"] if isinstance(u, dict) else u.id
    return {"login": login, "id": uid, "node_id": "U_stand%d" % uid, "type": kind,
            "site_admin": False, "url": "%s/users/%s" % (urls.api, login),
            "html_url": "%s/%s" % (urls.base, login),
            "avatar_url": "%s/avatars/%s" % (urls.base, login), "gravatar_id": "",
            "repos_url": "%s/users/%s/repos" % (urls.api, login)}


def owner_json(o, urls):
    return user_json({"login": o.login, "id": o.id}, urls, o.kind)


def repo_json(r, urls, full=False):
    api = "%s/repos/%s" % (urls.api, r.full_name)
    d = {"id": r.id, "node_id": r.node_id, "name": r.name, "full_name": r.full_name,
         "owner": owner_json(r.owner, urls), "private": r.private, "visibility": r.visibility,
         "html_url": "%s/%s" % (urls.base, r.full_name), "description": r.description,
         "fork": r.fork, "url": api, "archived": r.archived, "disabled": r.disabled,
         "is_template": r.is_template, "topics": list(r.topics),
         "default_branch": r.default_branch, "created_at": r.created_at, "updated_at": r.pushed_at,
         "pushed_at": None if r.is_empty() else r.pushed_at,
         "clone_url": "%s/%s.git" % (urls.base, r.full_name),
         "git_url": "git://127.0.0.1/%s.git" % r.full_name,
         "ssh_url": "git@127.0.0.1:%s.git" % r.full_name,
         "svn_url": "%s/%s" % (urls.base, r.full_name),
         "pulls_url": api + "/pulls{/number}", "issues_url": api + "/issues{/number}",
         "labels_url": api + "/labels{/name}", "git_refs_url": api + "/git/refs{/sha}",
         "size": 0 if r.is_empty() else 1, "language": None, "has_issues": True,
         "has_projects": True, "has_wiki": False, "has_pages": False, "has_downloads": True,
         "has_discussions": False, "forks_count": 0, "forks": 0, "stargazers_count": 0,
         "watchers_count": 0, "watchers": 0, "open_issues_count": sum(
             1 for p in r.pulls.values() if p.state == "open"), "open_issues": 0,
         "mirror_url": None, "homepage": None, "license": None,
         "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
         "allow_forking": True, "web_commit_signoff_required": False,
         "custom_properties": dict(r.custom_properties)}
    d["open_issues"] = d["open_issues_count"]
    if full:
        d.update({"network_count": 0, "subscribers_count": 0, "allow_merge_commit": True,
                  "allow_squash_merge": True, "allow_rebase_merge": True,
                  "delete_branch_on_merge": False, "allow_auto_merge": False})
        if r.owner.kind == "Organization":
            d["organization"] = owner_json(r.owner, urls)
    return d


def label_json(r, lab, urls):
    return {"id": lab["id"], "node_id": "LA_stand%d" % lab["id"], "name": lab["name"],
            "color": lab.get("color", "ededed"), "description": lab.get("description"),
            "default": False, "url": "%s/repos/%s/labels/%s" % (urls.api, r.full_name, lab["name"])}


def branch_ref_json(pr, r, urls, which):
    branch = pr.head if which == "head" else pr.base
    sha = pr.head_sha() if which == "head" else (r.branch_sha(branch) or "0" * 40)
    return {"label": "%s:%s" % (r.owner.login, branch), "ref": branch, "sha": sha,
            "user": owner_json(r.owner, urls), "repo": repo_json(r, urls)}


def pr_json(pr, urls, world, simple=False):
    r = pr.repo
    api = "%s/repos/%s" % (urls.api, r.full_name)
    html = "%s/%s/pull/%d" % (urls.base, r.full_name, pr.number)
    users = [user_json(world.user(l), urls) for l in pr.requested_reviewers]
    assignees = [user_json(world.user(l), urls) for l in pr.assignees]
    teams = [{"id": abs(hash(t)) % 100000 + 1, "node_id": "T_%s" % t, "slug": t, "name": t,
              "url": "%s/orgs/%s/teams/%s" % (urls.api, r.owner.login, t),
              "html_url": "%s/orgs/%s/teams/%s" % (urls.base, r.owner.login, t),
              "members_url": "", "repositories_url": "", "permission": "pull",
              "description": None, "privacy": "closed", "notification_setting": "notifications_enabled",
              "type": "organization", "parent": None} for t in pr.requested_teams]
    d = {"url": "%s/pulls/%d" % (api, pr.number), "id": pr.id, "node_id": "PR_stand%d" % pr.id,
         "html_url": html, "diff_url": html + ".diff", "patch_url": html + ".patch",
         "issue_url": "%s/issues/%d" % (api, pr.number), "number": pr.number,
         "state": pr.state, "locked": False, "title": pr.title, "body": pr.body,
         "user": user_json(world.user(pr.author), urls),
         "labels": [label_json(r, r.labels[n], urls) for n in pr.labels if n in r.labels],
         "created_at": pr.created_at, "updated_at": pr.updated_at, "closed_at": pr.closed_at,
         "merged_at": pr.merged_at, "merge_commit_sha": pr.merge_commit_sha,
         "assignee": assignees[0] if assignees else None, "assignees": assignees,
         "milestone": None, "draft": pr.draft,
         "requested_reviewers": users, "requested_teams": teams,
         "commits_url": "%s/pulls/%d/commits" % (api, pr.number),
         "review_comments_url": "%s/pulls/%d/comments" % (api, pr.number),
         "review_comment_url": api + "/pulls/comments{/number}",
         "comments_url": "%s/issues/%d/comments" % (api, pr.number),
         "statuses_url": "%s/statuses/%s" % (api, pr.head_sha()),
         "head": branch_ref_json(pr, r, urls, "head"), "base": branch_ref_json(pr, r, urls, "base"),
         "_links": {k: {"href": v} for k, v in {
             "self": "%s/pulls/%d" % (api, pr.number), "html": html,
             "issue": "%s/issues/%d" % (api, pr.number),
             "comments": "%s/issues/%d/comments" % (api, pr.number),
             "review_comments": "%s/pulls/%d/comments" % (api, pr.number),
             "review_comment": api + "/pulls/comments{/number}",
             "commits": "%s/pulls/%d/commits" % (api, pr.number),
             "statuses": "%s/statuses/%s" % (api, pr.head_sha())}.items()},
         "author_association": "NONE", "auto_merge": None, "active_lock_reason": None}
    if not simple:
        d.update({"merged": pr.merged, "mergeable": pr.mergeable, "rebaseable": pr.mergeable,
                  "mergeable_state": {True: "clean", False: "dirty"}.get(pr.mergeable, "unknown"),
                  "merged_by": None, "comments": len(r.comments.get(pr.number, [])),
                  "review_comments": 0, "maintainer_can_modify": False,
                  "commits": r.commits_between("refs/heads/" + pr.base, pr.head_sha()) if pr.state == "open" else 1,
                  "additions": 0, "deletions": 0, "changed_files": 0})
    return d


def issue_json(pr, urls, world):
    """A pull request seen as an issue (what the issues/* operations answer for a PR)."""
    r = pr.repo
    api = "%s/repos/%s/issues/%d" % (urls.api, r.full_name, pr.number)
    html = "%s/%s/pull/%d" % (urls.base, r.full_name, pr.number)
    assignees = [user_json(world.user(l), urls) for l in pr.assignees]
    return {"id": pr.id, "node_id": "I_stand%d" % pr.id, "url": api,
            "repository_url": "%s/repos/%s" % (urls.api, r.full_name),
            "labels_url": api + "/labels{/name}", "comments_url": api + "/comments",
            "events_url": api + "/events", "html_url": html, "number": pr.number,
            "state": pr.state, "state_reason": None, "title": pr.title, "body": pr.body,
            "user": user_json(world.user(pr.author), urls),
            "labels": [label_json(r, r.labels[n], urls) for n in pr.labels if n in r.labels],
            "assignee": assignees[0] if assignees else None, "assignees": assignees,
            "milestone": None, "locked": False, "active_lock_reason": None,
            "comments": len(r.comments.get(pr.number, [])), "draft": pr.draft,
            "pull_request": {"url": "%s/repos/%s/pulls/%d" % (urls.api, r.full_name, pr.number),
                             "html_url": html, "diff_url": html + ".diff", "patch_url": html + ".patch",
                             "merged_at": pr.merged_at},
            "closed_at": pr.closed_at, "created_at": pr.created_at, "updated_at": pr.updated_at,
            "closed_by": None, "author_association": "NONE"}


def ref_json(r, ref, sha, objtype, urls):
    return {"ref": ref, "node_id": "REF_stand", "url": "%s/repos/%s/git/%s" % (urls.api, r.full_name, ref),
            "object": {"type": objtype, "sha": sha,
                       "url": "%s/repos/%s/git/%ss/%s" % (urls.api, r.full_name, objtype, sha)}}


def installation_json(inst, world, urls):
    o = world.owner(inst.owner)
    return {"id": inst.id, "account": owner_json(o, urls),
            "repository_selection": "all" if inst.repos is None else "selected",
            "access_tokens_url": "%s/app/installations/%d/access_tokens" % (urls.api, inst.id),
            "repositories_url": "%s/installation/repositories" % urls.api,
            "html_url": "%s/organizations/%s/settings/installations/%d" % (urls.base, o.login, inst.id),
            "app_id": world.app["id"], "app_slug": world.app["slug"], "target_id": o.id,
            "target_type": o.kind, "permissions": dict(inst.permissions), "events": [],
            "created_at": inst.created_at, "updated_at": inst.created_at,
            "single_file_name": None, "has_multiple_single_files": False,
            "single_file_paths": [], "suspended_by": None, "suspended_at": None}
