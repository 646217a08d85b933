"""Settings: each declared once, with its type and help, in the pydantic model ``SettingValues``
(``scout schema settings`` prints it as JSON Schema); values come from data files and the environment.

Order, later wins: packaged ``data/settings.yaml`` → the file named by ``$SCOUT_SETTINGS``, else
``<data-dir>/settings.yaml`` if present → environment variables ``SCOUT_<NAME>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, NonNegativeFloat, NonNegativeInt, ValidationError

from taxonomy.validation import FileModel, Text, describe, read_yaml_file

PACKAGED_SETTINGS = Path(__file__).resolve().parent.parent / "data" / "settings.yaml"
DEFAULT_DATA_DIR = Path("var")


class SettingsError(ValueError):
    """A settings file or variable holds a value Scout cannot use."""


class SettingValues(FileModel):
    """Every setting, declared once with its type and help. Each file or variable may set any of them."""

    user_agent: Text = Field(description="User-Agent sent with every request; {contact_url} is filled in.")
    contact_url: Text = Field(description="Where a site owner can learn about the crawler and reach its operators.")
    obey_robots_txt: bool = Field(description="Honour robots.txt rules of every site (leave on).")
    download_delay: NonNegativeFloat = Field(description="Seconds between two requests to the same site.")
    autothrottle: bool = Field(description="Slow down further when a site answers slowly.")
    concurrent_requests_per_domain: NonNegativeInt = Field(description="Requests in flight at once per site.")
    max_depth: NonNegativeInt = Field(description="Links followed from a start URL before stopping.")
    max_pages_per_organisation: NonNegativeInt = Field(description="Pages fetched per organisation per crawl.")
    max_response_bytes: NonNegativeInt = Field(description="Responses larger than this are abandoned unread.")
    max_url_length: NonNegativeInt = Field(description="URLs longer than this are not followed (crawl-trap guard).")
    download_timeout: NonNegativeInt = Field(description="Seconds before a request is given up.")
    search_backend: Literal["whoosh", "tantivy"] = Field(
        description="Search engine the index is built with; changing it rebuilds the index at the next `scout index`.")


#: The setting names, in the order declared.
SETTINGS: tuple[str, ...] = tuple(SettingValues.model_fields)


def env_var(name: str) -> str:
    return "SCOUT_" + name.upper()


def settings_file_schema() -> dict[str, Any]:
    """JSON Schema of a settings file; no setting is required in one, since later files only override."""
    schema = SettingValues.model_json_schema()
    schema.pop("required", None)
    return schema


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    user_agent: str
    contact_url: str
    obey_robots_txt: bool
    download_delay: float
    autothrottle: bool
    concurrent_requests_per_domain: int
    max_depth: int
    max_pages_per_organisation: int
    max_response_bytes: int
    max_url_length: int
    download_timeout: int
    search_backend: str

    @property
    def database_path(self) -> Path:
        return self.data_dir / "scout.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def crawl_jobs_dir(self) -> Path:
        return self.data_dir / "crawl-jobs"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "scout.lock"

    @property
    def resolved_user_agent(self) -> str:
        return self.user_agent.replace("{contact_url}", self.contact_url)

    def replace(self, **changes: Any) -> "Settings":
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


def _read_file(path: Path) -> dict[str, Any]:
    loaded = read_yaml_file(path, SettingsError) or {}
    if not isinstance(loaded, dict):
        raise SettingsError(f"{path}: expected a mapping of setting names to values")
    return loaded


def load_settings(data_dir: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ) if environ is None else environ
    resolved_dir = Path(data_dir) if data_dir else Path(environ.get("SCOUT_DATA_DIR") or DEFAULT_DATA_DIR)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}

    layers = [PACKAGED_SETTINGS]
    override = environ.get("SCOUT_SETTINGS")
    if override:
        if not Path(override).is_file():
            raise SettingsError(f"SCOUT_SETTINGS names {override}, which is not a file")
        layers.append(Path(override))
    elif (resolved_dir / "settings.yaml").is_file():
        layers.append(resolved_dir / "settings.yaml")
    for layer in layers:
        for name, value in _read_file(layer).items():
            values[name] = value
            origins[name] = str(layer)

    for name in SETTINGS:
        if env_var(name) in environ:
            values[name] = environ[env_var(name)]
            origins[name] = env_var(name)

    try:
        validated = SettingValues.model_validate(values)
    except ValidationError as exc:
        # Name the file or variable the wrong value came from; a missing one belongs in the packaged defaults.
        setting = exc.errors()[0]["loc"][0] if exc.errors()[0]["loc"] else None
        raise SettingsError(f"{origins.get(setting, PACKAGED_SETTINGS)}: {describe(exc, values)}") from None
    return Settings(data_dir=resolved_dir, **validated.model_dump())
