from pathlib import Path

import pytest

from scout.settings import PACKAGED_SETTINGS, SETTINGS, SettingsError, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_packaged_defaults_load(tmp_path):
    settings = load_settings(tmp_path, environ={})
    assert settings.data_dir == tmp_path
    assert settings.obey_robots_txt is True
    assert settings.concurrent_requests_per_domain == 1
    assert settings.contact_url in settings.resolved_user_agent


def test_data_dir_defaults_to_env_then_var(tmp_path):
    assert load_settings(None, environ={"SCOUT_DATA_DIR": str(tmp_path)}).data_dir == tmp_path
    assert load_settings(None, environ={}).data_dir == Path("var")


def test_file_in_data_dir_then_environment_override_defaults(tmp_path):
    (tmp_path / "settings.yaml").write_text("max_depth: 2\ndownload_delay: 0.5\n")
    settings = load_settings(tmp_path, environ={"SCOUT_MAX_DEPTH": "7"})
    assert settings.max_depth == 7
    assert settings.download_delay == 0.5


def test_settings_file_named_by_env(tmp_path):
    named = tmp_path / "custom.yaml"
    named.write_text("autothrottle: false\n")
    assert load_settings(tmp_path, environ={"SCOUT_SETTINGS": str(named)}).autothrottle is False


@pytest.mark.parametrize("content, message", [
    ("max_depht: 2\n", "max_depht: unknown field"),
    ("max_depth: deep\n", "max_depth: Input should be a valid integer"),
    ("max_depth: -1\n", "max_depth: Input should be greater than or equal to 0"),
    ("obey_robots_txt: maybe\n", "obey_robots_txt: Input should be a valid boolean"),
    ("- a list\n", "expected a mapping"),
])
def test_bad_settings_are_rejected_with_the_file_and_setting_named(tmp_path, content, message):
    (tmp_path / "settings.yaml").write_text(content)
    with pytest.raises(SettingsError, match=message) as error:
        load_settings(tmp_path, environ={})
    assert "settings.yaml" in str(error.value)


def test_every_setting_has_a_packaged_default_and_is_documented():
    packaged = PACKAGED_SETTINGS.read_text()
    readme = README.read_text()
    for name in SETTINGS:
        assert f"\n{name}:" in packaged
        assert f"`{name}`" in readme, f"README does not document {name}"


def test_bad_environment_value_names_the_variable(tmp_path):
    with pytest.raises(SettingsError, match=r"^SCOUT_DOWNLOAD_DELAY: download_delay: Input should be a valid number"):
        load_settings(tmp_path, environ={"SCOUT_DOWNLOAD_DELAY": "soon"})
