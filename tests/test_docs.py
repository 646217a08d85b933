"""Documentation that cannot rot: the README names every application and every CLI command."""

from pathlib import Path

from scout.cli import main
from taxonomy import APPLICATIONS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_lists_every_application_with_its_name():
    for application in APPLICATIONS.values():
        assert f"| {application.id} | {application.name} |" in README, application.id


def test_readme_documents_every_command():
    for name in main.commands:
        assert f"`scout {name}" in README, name
