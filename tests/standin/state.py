"""The stand-in's world: owners, repositories (real bare git repositories), pull requests, labels,
the GitHub App and its installations, tokens. Everything git-shaped is read from git."""
import base64
import os
import shutil
import subprocess
import threading
import time

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent", "GIT_TERMINAL_PROMPT": "0",
           "LC_ALL": "C"}


def now_iso(t=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if t is None else t))


class GitError(Exception):
    pass


def git(gitdir, *args, input=None, env=None, check=True):
    e = dict(os.environ)
    e.update(GIT_ENV)
    if env:
        e.update(env)
    p = subprocess.run(["git", "--git-dir", gitdir] + list(args), input=input, env=e,
                       capture_output=True)
    if check and p.returncode != 0:
        raise GitError("git %s: %s" % (" ".join(args), p.stderr.decode(errors="replace").strip()))
    return p.stdout.decode(errors="replace").strip() if p.returncode == 0 else None


class Owner:
    def __init__(self, login, kind, oid):
        self.login, self.kind, self.id = login, kind, oid  # kind: Organization | User


class Repo:
    def __init__(self, world, owner, name, rid, **kw):
        self.world, self.owner, self.name, self.id = world, owner, name, rid
        self.default_branch = kw.get("default_branch", "main")
        self.private = bool(kw.get("private", False))
        self.visibility = kw.get("visibility", "private" if self.private else "public")
        self.archived = bool(kw.get("archived", False))
        self.disabled = bool(kw.get("disabled", False))
        self.fork = bool(kw.get("fork", False))
        self.is_template = bool(kw.get("is_template", False))
        self.topics = list(kw.get("topics", []))
        self.custom_properties = dict(kw.get("custom_properties", {}))
        self.description = kw.get("description")
        self.created_at = kw.get("created_at") or now_iso(world.clock - 86400 * 30 + rid)
        self.pushed_at = self.created_at
        self.labels = {}        # name -> {"id","name","color","description","default"}
        self.pulls = {}         # number -> PR
        self.comments = {}      # issue number -> [comment]
        self.next_number = 1
        self.gitdir = os.path.join(world.state_dir, "git", owner.login, name + ".git")
        self._pending_files = kw.get("files")  # materialised on first git access
        self.lock = threading.RLock()

    @property
    def full_name(self):
        return "%s/%s" % (self.owner.login, self.name)

    @property
    def node_id(self):
        return "R_stand%d" % self.id

    # ---------------------------------------------------------------- git
    def ensure_git(self):
        with self.lock:
            if not os.path.isdir(self.gitdir):
                os.makedirs(os.path.dirname(self.gitdir), exist_ok=True)
                shutil.copytree(self.world.template_gitdir(), self.gitdir, symlinks=True)
                with open(os.path.join(self.gitdir, "HEAD"), "w") as f:
                    f.write("ref: refs/heads/%s\n" % self.default_branch)
            if self._pending_files:
                files, self._pending_files = self._pending_files, None
                self.commit(self.default_branch, files, message="Initial commit", create=True, initial=True)
            return self.gitdir

    def is_empty(self):
        if self._pending_files:
            return False
        if not os.path.isdir(self.gitdir):
            return True
        return not git(self.gitdir, "for-each-ref", "--count=1", "refs/heads/")

    def ref_sha(self, ref):
        """ref: 'refs/heads/x' or 'refs/tags/x'. None if missing."""
        self.ensure_git()
        return git(self.gitdir, "rev-parse", "--verify", "-q", ref + "^{commit}", check=False) or None

    def branch_sha(self, branch):
        return self.ref_sha("refs/heads/" + branch)

    def refs(self, prefix="refs/"):
        self.ensure_git()
        out = git(self.gitdir, "for-each-ref", "--format=%(refname) %(objectname) %(objecttype)", prefix)
        return [tuple(l.split(" ")) for l in out.splitlines() if l]

    def commits_between(self, base, head):
        self.ensure_git()
        out = git(self.gitdir, "rev-list", "--count", "%s..%s" % (base, head), check=False)
        return int(out) if out is not None else 0

    def update_ref(self, ref, new, old=None):
        self.ensure_git()
        args = ["update-ref", ref, new] + ([old] if old is not None else [])
        git(self.gitdir, *args)
        self.pushed_at = now_iso()

    def delete_ref(self, ref):
        self.ensure_git()
        git(self.gitdir, "update-ref", "-d", ref)

    def commit(self, branch, files, message="commit", author=None, deletions=(), expected=None,
               create=False, parent=None, initial=False):
        """Write one commit on `branch` with `files` ({path: bytes|str|None(=delete)}). Returns its
        SHA. `expected`: the branch must point there (compare-and-swap). `parent`: start there
        instead of the branch tip (new branch)."""
        self.ensure_git()
        with self.lock:
            tip = self.branch_sha(branch) if not initial and (not create or parent is None) else None
            if tip is None and not create:
                raise GitError("branch %s does not exist" % branch)
            if expected is not None and tip != expected:
                raise GitError("stale: branch %s is at %s, not %s" % (branch, tip, expected))
            base = parent or tip
            a = author or {"name": "Stand-in", "email": "standin@github.invalid"}
            ts = int(time.time())
            tmpref = "refs/standin/tmp-%d" % threading.get_ident()
            marks = os.path.join(self.world.state_dir, "marks-%d-%d" % (os.getpid(), threading.get_ident()))
            target = ("refs/heads/" + branch) if initial else tmpref
            out = [b"commit " + target.encode(), b"mark :1"]
            out.append(("author %s <%s> %d +0000" % (a["name"], a["email"], ts)).encode())
            out.append(("committer %s <%s> %d +0000" % (a.get("committer_name", a["name"]),
                                                         a.get("committer_email", a["email"]), ts)).encode())
            msg = message.encode()
            out.append(b"data %d" % len(msg))
            out.append(msg)
            if base:
                out.append(b"from " + base.encode())
            for path, content in list(files.items()) + [(d, None) for d in deletions]:
                if content is None:
                    out.append(b"D " + path.encode())
                    continue
                mode = "100644"
                if isinstance(content, dict):
                    mode = content.get("mode", mode)
                    content = content["content"]
                if isinstance(content, str):
                    content = content.encode()
                out.append(("M %s inline %s" % (mode, path)).encode())
                out.append(b"data %d" % len(content))
                out.append(content)
            out.append(b"")
            try:
                git(self.gitdir, "fast-import", "--quiet", "--force", "--export-marks=" + marks,
                    input=b"\n".join(out) + b"\n")
                with open(marks) as f:
                    sha = f.read().split()[1]
            finally:
                if os.path.exists(marks):
                    os.unlink(marks)
            old = tip if tip else "0" * 40
            if not initial:
                git(self.gitdir, "update-ref", "--stdin",
                    input=("update refs/heads/%s %s %s\ndelete %s\n" % (branch, sha, old, tmpref)).encode())
            self.pushed_at = now_iso()
            return sha

    def merge(self, base, head, message):
        """A human merging on GitHub: a merge commit of head into base. None on conflict."""
        self.ensure_git()
        b, h = self.branch_sha(base), self.branch_sha(head)
        p = subprocess.run(["git", "--git-dir", self.gitdir, "merge-tree", "--write-tree", b, h],
                           capture_output=True, env=dict(os.environ, **GIT_ENV))
        if p.returncode != 0:
            return None
        tree = p.stdout.decode().split("\n")[0].strip()
        env = {"GIT_AUTHOR_NAME": "Human", "GIT_AUTHOR_EMAIL": "human@github.invalid",
               "GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com"}
        sha = git(self.gitdir, "commit-tree", tree, "-p", b, "-p", h, "-m", message, env=env)
        self.update_ref("refs/heads/" + base, sha, b)
        return sha

    def read_file(self, ref, path):
        self.ensure_git()
        p = subprocess.run(["git", "--git-dir", self.gitdir, "cat-file", "blob", "%s:%s" % (ref, path)],
                           capture_output=True)
        return p.stdout if p.returncode == 0 else None

    def commit_info(self, sha):
        out = git(self.gitdir, "log", "-1", "--format=%H%n%an%n%ae%n%aI%n%cn%n%ce%n%cI%n%T%n%P%n%B", sha)
        lines = out.split("\n")
        return {"sha": lines[0], "author": {"name": lines[1], "email": lines[2], "date": lines[3]},
                "committer": {"name": lines[4], "email": lines[5], "date": lines[6]},
                "tree": lines[7], "parents": lines[8].split(), "message": "\n".join(lines[9:]).strip()}


# The stand-in passes STANDIN_NO_WORKFLOWS=1 to git http-backend when the pushing token lacks the
# workflows permission; GitHub then refuses any push that touches .github/workflows/.
PRE_RECEIVE_HOOK = r"""#!/bin/sh
[ "$STANDIN_NO_WORKFLOWS" = 1 ] || exit 0
z=0000000000000000000000000000000000000000
while read old new ref; do
  [ "$new" = $z ] && continue
  if [ "$old" = $z ]; then range=$(git rev-list "$new" --not --all); else range=$(git rev-list "$old..$new"); fi
  for c in $range; do
    if git diff-tree --no-commit-id --name-only -r --root "$c" | grep -q '^\.github/workflows/'; then
      echo "refusing to allow a GitHub App to create or update workflow \`$(git diff-tree --no-commit-id --name-only -r --root "$c" | grep '^\.github/workflows/' | head -1)\` without \`workflows\` permission" >&2
      exit 1
    fi
  done
done
exit 0
"""


class PR:
    def __init__(self, repo, number, head, base, title, body, draft, author, head_owner):
        self.repo, self.number = repo, number
        self.head, self.base, self.head_owner = head, base, head_owner
        self.title, self.body, self.draft = title, body, draft
        self.state = "open"
        self.merged = False
        self.author = author
        self.created_at = self.updated_at = now_iso()
        self.closed_at = self.merged_at = None
        self.labels = []              # names
        self.assignees = []            # logins (at most 10, as on GitHub)
        self.requested_reviewers = []  # logins
        self.requested_teams = []      # slugs
        self.mergeable = None          # None (unknown) | True | False
        self.review_decision = None    # None | APPROVED | CHANGES_REQUESTED | REVIEW_REQUIRED
        self.checks = None             # None | SUCCESS | FAILURE | PENDING | ERROR | EXPECTED
        self.frozen_head_sha = None    # head SHA kept once closed/merged
        self.merge_commit_sha = None
        self.id = repo.world.next_id()

    def head_sha(self):
        if self.frozen_head_sha:
            return self.frozen_head_sha
        return self.repo.branch_sha(self.head) or ("0" * 40)

    def touch(self):
        self.updated_at = now_iso()

    def close(self, merged=False, merge_sha=None):
        self.frozen_head_sha = self.head_sha()
        self.state = "closed"
        self.closed_at = now_iso()
        self.touch()
        if merged:
            self.merged = True
            self.merged_at = self.closed_at
            self.merge_commit_sha = merge_sha


class Installation:
    def __init__(self, iid, owner, permissions, repos=None):
        self.id, self.owner = iid, owner
        self.permissions = permissions
        self.repos = repos  # None = all repositories of the owner, else a set of names
        self.created_at = now_iso()


class Token:
    def __init__(self, value, kind, login=None, installation=None, expires_at=None, permissions=None):
        self.value, self.kind, self.login = value, kind, login  # kind: pat | installation
        self.installation = installation
        self.expires_at = expires_at
        self.permissions = permissions or {}


DEFAULT_PERMISSIONS = {"contents": "write", "pull_requests": "write", "issues": "write",
                       "metadata": "read", "workflows": "write", "checks": "read",
                       "statuses": "read", "organization_custom_properties": "read"}


class World:
    def __init__(self, state_dir):
        self.state_dir = state_dir
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            shutil.rmtree(os.path.join(self.state_dir, "git"), ignore_errors=True)
            os.makedirs(os.path.join(self.state_dir, "git"), exist_ok=True)
            self.clock = time.time()
            self._id = 1000
            self.owners = {}       # login(lower) -> Owner
            self.repos = {}        # (owner lower, name lower) -> Repo
            self.renamed = {}      # old (owner lower, name lower) -> Repo, as GitHub redirects
            self.tokens = {}       # value -> Token
            self.installations = {}  # id -> Installation
            self.app = None        # {"id", "slug", "public_key", "token_lifetime"}
            self.users = {}        # login lower -> {"login","id"}

    def template_gitdir(self):
        """One `git init --bare` per stand-in; repositories are copies of it (much cheaper)."""
        t = os.path.join(self.state_dir, "template.git")
        if not os.path.isdir(t):
            tmp = t + ".tmp%d" % threading.get_ident()
            subprocess.run(["git", "init", "-q", "--bare", tmp], check=True, env=dict(os.environ, **GIT_ENV))
            git(tmp, "config", "http.receivepack", "true")
            git(tmp, "config", "uploadpack.allowAnySHA1InWant", "true")
            hooks = os.path.join(tmp, "hooks")
            shutil.rmtree(hooks)
            os.makedirs(hooks)
            with open(os.path.join(hooks, "pre-receive"), "w") as f:
                f.write(PRE_RECEIVE_HOOK)
            os.chmod(os.path.join(hooks, "pre-receive"), 0o755)
            try:
                os.rename(tmp, t)
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
        return t

    def next_id(self):
        with self.lock:
            self._id += 1
            return self._id

    def owner(self, login, kind=None, create=False):
        with self.lock:
            o = self.owners.get(login.lower())
            if o is None and create:
                o = Owner(login, kind or "Organization", self.next_id())
                self.owners[login.lower()] = o
            return o

    def repo(self, owner, name):
        return self.repos.get((owner.lower(), name.lower()))

    def repo_following_renames(self, owner, name):
        """The repository under this name, or the one renamed away from it (GitHub redirects)."""
        return self.repo(owner, name) or self.renamed.get((owner.lower(), name.lower()))

    def rename_repo(self, r, new_name):
        """GitHub keeps redirecting every earlier name until one is taken by a new repository."""
        with self.lock:
            old = (r.owner.login.lower(), r.name.lower())
            new = (r.owner.login.lower(), new_name.lower())
            if new != old and new in self.repos:
                raise ValueError("repository %s/%s exists" % (r.owner.login, new_name))
            del self.repos[old]
            r.ensure_git()
            newdir = os.path.join(os.path.dirname(r.gitdir), new_name + ".git")
            os.rename(r.gitdir, newdir)
            r.name, r.gitdir = new_name, newdir
            self.repos[new] = r
            self.renamed.pop(new, None)
            if new != old:
                self.renamed[old] = r

    def delete_repo(self, r):
        with self.lock:
            del self.repos[(r.owner.login.lower(), r.name.lower())]
            self.renamed = {k: v for k, v in self.renamed.items() if v is not r}

    def repo_by_node(self, node_id):
        for r in self.repos.values():
            if r.node_id == node_id:
                return r
        return None

    def add_repo(self, owner, name, **kw):
        with self.lock:
            o = self.owner(owner, kw.pop("owner_type", None), create=True)
            if self.repo(owner, name):
                raise ValueError("repository %s/%s exists" % (owner, name))
            r = Repo(self, o, name, self.next_id(), **kw)
            self.repos[(owner.lower(), name.lower())] = r
            self.renamed.pop((owner.lower(), name.lower()), None)  # the new repository wins
            if kw.get("git"):
                r.ensure_git()  # else materialised on first git access
            return r

    def repos_of(self, login):
        return [r for (o, _), r in self.repos.items() if o == login.lower()]

    def user(self, login):
        with self.lock:
            u = self.users.get(login.lower())
            if u is None:
                u = {"login": login, "id": self.next_id()}
                self.users[login.lower()] = u
            return u


def b64(data):
    return base64.b64encode(data).decode()
