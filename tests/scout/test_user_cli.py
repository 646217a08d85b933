"""`scout user add` and `scout user list`: password on stdin, never echoed or stored in clear; clear errors."""

import json

from store import Store
from tests.conftest import run_scout

PASSWORD = "a long secret phrase"


def add(data_dir, *args, password=PASSWORD + "\n", check=True):
    return run_scout("user", "add", *args, "--data-dir", str(data_dir), input=password, check=check)


def assert_one_line_error(completed, exit_code, *fragments):
    assert completed.returncode == exit_code, completed.stderr
    assert completed.stderr.count("\n") == 1 and completed.stderr.startswith("scout: error: "), completed.stderr
    assert all(fragment in completed.stderr for fragment in fragments), completed.stderr


def test_add_reads_the_password_from_a_pipe_and_never_shows_or_stores_it(tmp_path):
    completed = add(tmp_path, "ada", "--cluster", "litek", "--role", "staff")
    assert completed.stdout == "added user ada (staff, cluster litek)\n"
    assert PASSWORD not in completed.stdout + completed.stderr
    with Store.open(tmp_path / "scout.sqlite3") as store:
        record = store.user_named("ada")
    assert record.password_hash.startswith("scrypt:") and PASSWORD not in record.password_hash
    assert PASSWORD.encode() not in (tmp_path / "scout.sqlite3").read_bytes()


def test_adding_again_updates_role_and_password_and_says_so(tmp_path):
    add(tmp_path, "ada", "--cluster", "litek", "--role", "scout")
    completed = add(tmp_path, "ada", "--cluster", "litek", "--role", "admin", password="another password\n")
    assert completed.stdout == "updated user ada (admin, cluster litek)\n"
    listed = json.loads(run_scout("user", "list", "--json", "--data-dir", str(tmp_path)).stdout)
    assert listed == {"users": [{"id": 1, "name": "ada", "cluster_id": "litek", "role": "admin"}]}


def test_list_prints_name_cluster_and_role_only(tmp_path):
    add(tmp_path, "zoe", "--cluster", "biocat", "--role", "scout")
    add(tmp_path, "ada", "--cluster", "litek", "--role", "staff")
    assert run_scout("user", "list", "--data-dir", str(tmp_path)).stdout == "ada\tlitek\tstaff\nzoe\tbiocat\tscout\n"


def test_only_the_first_line_of_stdin_is_the_password(tmp_path):
    add(tmp_path, "ada", "--cluster", "litek", "--role", "staff", password=PASSWORD + "\r\nsecond line\n")
    from scout.settings import load_settings
    from search_app import access

    settings = load_settings(tmp_path, environ={})
    assert access.authenticate(settings, "ada", PASSWORD, "127.0.0.1").name == "ada"


def test_an_unknown_cluster_is_a_usage_error_listing_the_partner_clusters(tmp_path):
    completed = add(tmp_path / "new", "ada", "--cluster", "acme", "--role", "staff", check=False)
    assert_one_line_error(completed, 2, "unknown cluster 'acme'", "litek", "opticsvalley", "biocat")
    assert not (tmp_path / "new").exists()


def test_short_or_missing_passwords_are_usage_errors(tmp_path):
    for password, message in (("", "no password on stdin"), ("\n", "no password on stdin"),
                              ("short\n", "at least 10 characters")):
        completed = add(tmp_path / "new", "ada", "--cluster", "litek", "--role", "staff", password=password,
                        check=False)
        assert_one_line_error(completed, 2, message)
        assert "short" not in completed.stderr  # not even a wrong password is echoed
    assert not (tmp_path / "new").exists()


def test_bad_role_and_name_are_usage_errors(tmp_path):
    assert_one_line_error(add(tmp_path, "ada", "--cluster", "litek", "--role", "owner", check=False), 2, "--role")
    assert_one_line_error(add(tmp_path, "Ada Lovelace", "--cluster", "litek", "--role", "staff", check=False), 2,
                          "user name 'Ada Lovelace'")


def test_list_needs_a_store(tmp_path):
    completed = run_scout("user", "list", "--data-dir", str(tmp_path / "none"), check=False)
    assert_one_line_error(completed, 1, "no Scout data in")
