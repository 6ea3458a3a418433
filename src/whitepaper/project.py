"""A paper project: the folder and the files and folders it is made of.

Made once per command (`Project.at(path)`) and passed down, so that no other module
spells out "build", "review" or "whitepaper.yaml" itself.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "whitepaper.yaml"
CHAPTERS_DIR = "chapters"
TEMPLATES_DIR = "templates"
BUILD_DIR = "build"
CACHE_DIR = "build/.cache"
REVIEW_DIR = "review"
ROUND_FILE = "round.yaml"  # in review/NAME/: what a round froze and sent
REGISTER_FILE = "comments.yaml"  # in review/NAME/: the round's comments
APPROVALS_FILE = "review/approvals.yaml"  # chapters' sign-off
RELEASES_DIR = "releases"  # releases/VERSION/: the published editions, committed
CITATION_TAGS_FILE = "citation-tags.tsv"  # optional: tag<TAB>identifier, so `[@tag:X]` cites that work
GLOSSARY_NAME = "glossary.yaml"  # optional: abbreviations and terms (`glossary: {file: …}` may name another)

# What a paper project is made of (the rest of its folder is the editor's business).
PAPER_PARTS = (CONFIG_NAME, CHAPTERS_DIR, "bibliography", "figures", TEMPLATES_DIR, "styles", CITATION_TAGS_FILE, GLOSSARY_NAME)
# Folders that are written by tools, never by authors: not part of the paper.
IGNORED_FOLDERS = frozenset({BUILD_DIR, RELEASES_DIR, ".git", ".venv", "venv", "node_modules", "__pycache__", ".pytest_cache"})
# Folders the tool writes into; changes there do not make the paper's work tree dirty.
GENERATED_FOLDERS = (BUILD_DIR, REVIEW_DIR)


@dataclass(frozen=True)
class Project:
    """A paper project's folder, as the user named it (paths in messages stay as they typed them)."""

    root: Path

    @classmethod
    def at(cls, where: Project | Path | str) -> Project:
        return where if isinstance(where, Project) else cls(Path(where))

    def path(self, relative: str) -> Path:
        """A file of the project, from its project-relative name."""
        return self.root / relative

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def chapters_dir(self) -> Path:
        return self.root / CHAPTERS_DIR

    @property
    def templates_dir(self) -> Path:
        return self.root / TEMPLATES_DIR

    @property
    def build_dir(self) -> Path:
        return self.root / BUILD_DIR

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    @property
    def review_dir(self) -> Path:
        return self.root / REVIEW_DIR

    @property
    def releases_dir(self) -> Path:
        return self.root / RELEASES_DIR

    def round_dir(self, name: str) -> Path:
        return self.review_dir / name

    def round_file(self, name: str) -> Path:
        return self.round_dir(name) / ROUND_FILE

    def register_file(self, name: str) -> Path:
        return self.round_dir(name) / REGISTER_FILE

    def rel(self, path: Path) -> str:
        """A path as the user knows it: relative to the project when inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def contains(self, path: Path) -> bool:
        """Whether `path` (links followed) is inside the project folder."""
        return path.resolve().is_relative_to(self.root.resolve())

    def fingerprint(self, leave_out: frozenset[str] = frozenset()) -> str:
        """Every file of the paper (not the generated and tools' folders, nor `leave_out`, as
        project-relative paths) with its size and modification time: milliseconds to take,
        where reading the files takes seconds."""
        entries = []
        for folder, subfolders, files in os.walk(self.root):
            subfolders[:] = sorted(d for d in subfolders if d not in IGNORED_FOLDERS)
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                relative = os.path.relpath(path, self.root)
                if relative not in leave_out:
                    entries.append(f"{relative}\t{info.st_size}\t{info.st_mtime_ns}")
        return "\n".join(entries)

    def paper_files(self) -> list[Path]:
        """Every file the paper is made of (see PAPER_PARTS), in a stable order."""
        files = []
        for part in PAPER_PARTS:
            source = self.root / part
            if source.is_dir():
                files += sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            elif source.is_file():
                files.append(source)
        return files

    def copy_paper(self, target: Path) -> Project:
        """Copy the paper's own files (not build/ or review/) into `target`."""
        target.mkdir(parents=True, exist_ok=True)
        for part in PAPER_PARTS:
            source = self.root / part
            if source.is_dir():
                shutil.copytree(source, target / part)
            elif source.is_file():
                shutil.copy2(source, target / part)
        return Project(target)
