"""config.toml: documented defaults, strict loading, and which file wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Config, find_config_path, load_config, parse_config
from core.errors import ConfigError
from tests.support.constants import REPO
from tui.keys import all_bindings, check_keymap

BAD = REPO / "tests" / "fixtures" / "config"


def test_the_shipped_config_is_valid_and_states_the_defaults() -> None:
    shipped = load_config(REPO / "config.toml")
    defaults = Config()
    for table in ("venue", "sales", "security", "camera", "pricing"):
        assert getattr(shipped, table) == getattr(defaults, table), table
    from dataclasses import replace

    # paths in the file are relative to it
    assert shipped.printer == replace(defaults.printer, path=str(REPO / "prints"))
    assert shipped.database.path == REPO / "boxoffice.db"


def test_no_config_file_means_defaults() -> None:
    assert load_config(None) == Config()


@pytest.mark.parametrize(("name", "key", "expected"), [
    ("unknown-key.toml", "cart_hold_minuts", "expected one of"),
    ("wrong-type.toml", "idle_lock_minutes", "must be an integer"),
    ("unknown-table.toml", "printers", "expected one of"),
    ("bad-timezone.toml", "timezone", "not a known time zone"),
    ("bad-backend.toml", "backend", "must be one of"),
    ("not-toml.toml", "not valid TOML", "line 1"),
])
def test_a_bad_config_names_the_file_the_key_and_what_was_expected(
        name: str, key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(BAD / name)
    message = caught.value.message
    assert name in message and key in message and expected in message


def test_a_keymap_entry_must_name_a_real_binding() -> None:
    config = load_config(BAD / "bad-keymap.toml")
    with pytest.raises(ConfigError, match=r"seatmap\.teleport"):
        check_keymap(config)


def test_every_binding_has_an_id_and_a_remap_is_accepted(tmp_path: Path) -> None:
    ids = {binding_id for binding_id, _, _ in all_bindings()}
    assert {"seatmap.up", "sell.goto_row", "overview.open", "app.quit"} <= ids
    good = tmp_path / "config.toml"
    good.write_text('[keymap]\n"sell.goto_row" = "ctrl+g"\n')
    check_keymap(load_config(good))


def test_a_relative_database_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[database]\npath = "data/box.db"\n')
    assert load_config(tmp_path / "config.toml").database.path == tmp_path / "data" / "box.db"


def test_precedence_option_then_variable_then_cwd_then_user(tmp_path: Path) -> None:
    option, variable, cwd, home = (tmp_path / n for n in ("option", "var", "cwd", "home"))
    for folder in (option, variable, cwd, home / "boxoffice"):
        folder.mkdir(parents=True)
        (folder / "config.toml").write_text("")
    env = {"BOXOFFICE_CONFIG": str(variable / "config.toml"), "XDG_CONFIG_HOME": str(home)}
    assert find_config_path(option / "config.toml", env, cwd) == option / "config.toml"
    assert find_config_path(None, env, cwd) == variable / "config.toml"
    del env["BOXOFFICE_CONFIG"]
    assert find_config_path(None, env, cwd) == cwd / "config.toml"
    (cwd / "config.toml").unlink()
    assert find_config_path(None, env, cwd) == home / "boxoffice" / "config.toml"
    (home / "boxoffice" / "config.toml").unlink()
    assert find_config_path(None, env, cwd) is None


def test_a_named_config_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        find_config_path(tmp_path / "nope.toml", {}, tmp_path)
    with pytest.raises(ConfigError, match="BOXOFFICE_CONFIG"):
        find_config_path(None, {"BOXOFFICE_CONFIG": str(tmp_path / "nope.toml")}, tmp_path)


@pytest.mark.parametrize(("raw", "expected"), [
    ({"web": {"port": 0}}, "[web] port must be from 1 to 65535"),
    ({"web": {"hold_minutes": 0}}, "[web] hold_minutes must be a positive integer"),
    ({"web": {"hold_extensions": -1}}, "[web] hold_extensions must be zero or more"),
    ({"web": {"price_types": "ADULT"}}, "'price_types' must be a list of strings"),
    ({"web": {"base_url": "tickets.example.org"}}, "[web] base_url must start with https://"),
    ({"mail": {"host": "smtp.example.org"}}, "[mail] sender must be an email address"),
    ({"mail": {"starttls": "yes"}}, "'starttls' must be"),
])
def test_the_storefront_and_mail_settings_are_checked(raw: dict[str, object],
                                                       expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    assert expected in caught.value.message


def test_a_config_file_with_the_mail_password_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[mail]\nhost = "smtp.example.org"\nsender = "box@example.org"\n'
                    'username = "box"\npassword = "s3cret-pass"\n')
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="the \\[mail\\] password") as refused:
        load_config(path)
    assert "s3cret-pass" not in refused.value.message
    path.chmod(0o600)
    config = load_config(path)
    assert config.mail.password == "s3cret-pass" and "s3cret-pass" not in repr(config)
