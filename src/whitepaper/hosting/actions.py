"""The GitHub Actions the generated workflow uses, each pinned to the full commit of a release.

A tag such as `v7` can be moved to other code by whoever controls the action's repository; a
commit cannot. The workflow names the commit, with the release in a comment after it, which is
what Dependabot and Renovate read to propose updates of both together.

Each commit is the one the release tag points at (the tags were read from dependency-update pull
requests and pinned workflows in public repositories, and agree across several of them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    repository: str  # owner/name on GitHub
    commit: str  # the full commit the release tag points at
    release: str  # the tag, for people and update bots

    def __str__(self) -> str:
        """What `uses:` says: the commit, then the release as a comment."""
        return f"{self.repository}@{self.commit} # {self.release}"


ACTIONS = {
    "checkout": Action("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "setup-python": Action("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "cache": Action("actions/cache", "55cc8345863c7cc4c66a329aec7e433d2d1c52a9", "v6.1.0"),
    "upload-artifact": Action("actions/upload-artifact", "043fb46d1a93c77aae656e7c1c64a875d1fc6a0a", "v7.0.1"),
    "upload-pages-artifact": Action(
        "actions/upload-pages-artifact", "fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0"
    ),
    "deploy-pages": Action("actions/deploy-pages", "cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0"),
}
