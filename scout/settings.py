"""Settings: each declared once here with its help; values come from data files and the environment.

Order, later wins: packaged ``data/settings.yaml`` → the file named by ``$SCOUT_SETTINGS``, else
``<data-dir>/settings.yaml`` if present → environment variables ``SCOUT_<NAME>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

PACKAGED_SETTINGS = Path(__file__).resolve().parent.parent / "data" / "settings.yaml"
DEFAULT_DATA_DIR = Path("var")


class SettingsError(ValueError):
    """A settings file or variable holds a value Scout cannot use."""


@dataclass(frozen=True)
class SettingSpec:
    name: str
    kind: type
    help: str

    @property
    def env_var(self) -> str:
        return "SCOUT_" + self.name.upper()


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("user_agent", str, "User-Agent sent with every request; {contact_url} is filled in."),
    SettingSpec("contact_url", str, "Where a site owner can learn about the crawler and reach its operators."),
    SettingSpec("obey_robots_txt", bool, "Honour robots.txt rules of every site (leave on)."),
    SettingSpec("download_delay", float, "Seconds between two requests to the same site."),
    SettingSpec("autothrottle", bool, "Slow down further when a site answers slowly."),
    SettingSpec("concurrent_requests_per_domain", int, "Requests in flight at once per site."),
    SettingSpec("max_depth", int, "Links followed from a start URL before stopping."),
    SettingSpec("max_pages_per_organisation", int, "Pages fetched per organisation per crawl."),
    SettingSpec("max_response_bytes", int, "Responses larger than this are abandoned unread."),
    SettingSpec("max_url_length", int, "URLs longer than this are not followed (crawl-trap guard)."),
    SettingSpec("download_timeout", int, "Seconds before a request is given up."),
)


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


def _coerce(spec: SettingSpec, value: Any, origin: str) -> Any:
    if spec.kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{origin}: {spec.name} must be true or false, not {value!r}")
    try:
        coerced = spec.kind(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{origin}: {spec.name} must be a {spec.kind.__name__}, not {value!r}") from None
    if spec.kind in (int, float) and coerced < 0:
        raise SettingsError(f"{origin}: {spec.name} must not be negative, got {value!r}")
    return coerced


def _read_file(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(loaded, dict):
        raise SettingsError(f"{path}: expected a mapping of setting names to values")
    known = {spec.name for spec in SETTINGS}
    unknown = sorted(set(loaded) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
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

    for spec in SETTINGS:
        if spec.env_var in environ:
            values[spec.name] = environ[spec.env_var]
            origins[spec.name] = spec.env_var
        if spec.name not in values:
            raise SettingsError(f"setting {spec.name} has no value: add it to {PACKAGED_SETTINGS}")
        values[spec.name] = _coerce(spec, values[spec.name], origins[spec.name])

    return Settings(data_dir=resolved_dir, **values)
