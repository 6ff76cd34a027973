"""Shared by the stand-in's modules (kept apart so running github_standin.py as a script does not
load two copies of them)."""
import re

GIT_RE = re.compile(r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?/(?P<rest>info/refs|git-upload-pack|git-receive-pack)$")
SECONDARY_MSG = ("You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                 "again. If you reach out to GitHub Support for help, please include the request ID %s.")
SECONDARY_DOC = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"


class HTTPError(Exception):
    def __init__(self, status, message, errors=None, headers=None, doc=None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors
        self.headers = headers or {}
        self.doc = doc
