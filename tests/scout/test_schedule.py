"""`scout schedule`: a weekly cron line and systemd units with absolute paths, and --install."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scout import schedule
from tests.conftest import run_scout

SCOUT_EXE = "/opt/scout/bin/scout"


def make(data_dir: Path, weekday: str = "mon", time_of_day: str = "03:00") -> schedule.WeeklySchedule:
    return schedule.WeeklySchedule((SCOUT_EXE,), data_dir, weekday, *schedule.parse_time(time_of_day))


@pytest.mark.parametrize("text, expected", [("03:00", (3, 0)), ("3:05", (3, 5)), ("23:59", (23, 59)), (" 00:00 ", (0, 0))])
def test_parse_time_accepts_24_hour_times(text, expected):
    assert schedule.parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "03:60", "3", "03:00pm", "", "noon"])
def test_parse_time_rejects_anything_else(text):
    with pytest.raises(ValueError, match="HH:MM"):
        schedule.parse_time(text)


def test_make_schedule_makes_the_data_dir_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = schedule.make_schedule(Path("var"), "Sun", "04:30")
    assert plan.data_dir == tmp_path / "var" and plan.weekday == "sun" and (plan.hour, plan.minute) == (4, 30)


def test_make_schedule_rejects_unknown_weekdays(tmp_path):
    with pytest.raises(ValueError, match="mon"):
        schedule.make_schedule(tmp_path, "monday", "03:00")


def test_scout_command_uses_the_scout_executable_it_was_started_as(tmp_path):
    executable = tmp_path / "bin" / "scout"
    executable.parent.mkdir()
    executable.write_text("#!/bin/sh\n")
    assert schedule.scout_command(str(executable)) == (str(executable),)


def test_scout_command_is_always_absolute_when_run_as_a_module():
    command = schedule.scout_command("/somewhere/scout/cli.py")
    assert Path(command[0]).is_absolute()
    assert Path(command[0]).name == "scout" or command == (sys.executable, "-m", "scout.cli")


def test_cron_line_runs_the_chain_weekly_with_absolute_paths(tmp_path):
    line = schedule.cron_line(make(tmp_path / "data", "sun", "04:30"))
    minute, hour, day_of_month, month, weekday, command = line.split(" ", 5)
    assert (minute, hour, day_of_month, month, weekday) == ("30", "4", "*", "*", "0")
    data_dir = str(tmp_path / "data")
    assert (f"{SCOUT_EXE} crawl --all --data-dir {data_dir} && {SCOUT_EXE} process --data-dir {data_dir} "
            f"&& {SCOUT_EXE} index --data-dir {data_dir} && {SCOUT_EXE} discover --data-dir {data_dir}") in command
    assert command.endswith(f">> {data_dir}/weekly.log 2>&1")


def test_cron_line_quotes_spaces_and_escapes_percent(tmp_path):
    line = schedule.cron_line(make(tmp_path / "my data 100%"))
    assert "'" + str(tmp_path / "my data 100") + "\\%'" in line
    assert "100%" not in line  # an unescaped % would cut the command short


def test_service_unit_runs_the_four_steps_in_order_and_stops_at_a_failure(tmp_path):
    unit = schedule.service_unit(make(tmp_path / "data"))
    assert "Type=oneshot" in unit  # oneshot: ExecStart= lines run in order, the first failure stops the rest
    exec_lines = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    data_dir = tmp_path / "data"
    assert exec_lines == [
        f"ExecStart={SCOUT_EXE} crawl --all --data-dir {data_dir}",
        f"ExecStart={SCOUT_EXE} process --data-dir {data_dir}",
        f"ExecStart={SCOUT_EXE} index --data-dir {data_dir}",
        f"ExecStart={SCOUT_EXE} discover --data-dir {data_dir}",
    ]


@pytest.mark.parametrize("argument, quoted", [
    ("/plain/path", "/plain/path"),
    ("/with space", '"/with space"'),
    ("/100%", "/100%%"),
    ("/$HOME", "/$$HOME"),
    ('/a"b', '"/a\\"b"'),
    ("", '""'),
])
def test_systemd_quote(argument, quoted):
    assert schedule.systemd_quote(argument) == quoted


def test_timer_unit_fires_weekly_and_catches_up_after_downtime(tmp_path):
    unit = schedule.timer_unit(make(tmp_path, "wed", "22:15"))
    assert "OnCalendar=Wed *-*-* 22:15:00" in unit
    assert "Persistent=true" in unit and "WantedBy=timers.target" in unit


def test_install_units_writes_both_files(tmp_path):
    written = schedule.install_units(make(tmp_path / "data"), tmp_path / "units" / "nested")
    assert sorted(path.name for path in written) == ["scout-crawl.service", "scout-crawl.timer"]
    assert all(path.parent == tmp_path / "units" / "nested" and path.read_text() for path in written)


def test_cli_prints_cron_line_and_both_units_by_default(tmp_path):
    data_dir = tmp_path / "data"
    out = run_scout("schedule", "--data-dir", str(data_dir), "--weekday", "fri", "--time", "05:45",
                    "--systemd-dir", str(tmp_path / "units")).stdout
    assert "45 5 * * 5 " in out
    assert f"crawl --all --data-dir {data_dir}" in out and f"index --data-dir {data_dir}" in out
    assert "[Service]" in out and "OnCalendar=Fri *-*-* 05:45:00" in out
    assert "systemctl --user enable --now scout-crawl.timer" in out
    assert not (tmp_path / "units").exists()  # printing installs nothing


def test_cli_install_writes_units_and_prints_the_enable_command(tmp_path):
    units = tmp_path / "units"
    completed = run_scout("schedule", "--install", "--systemd-dir", str(units), "--data-dir", str(tmp_path / "data"))
    assert (units / "scout-crawl.service").is_file() and (units / "scout-crawl.timer").is_file()
    assert "systemctl --user enable --now scout-crawl.timer" in completed.stdout
    service = (units / "scout-crawl.service").read_text()
    executable = service.split("ExecStart=", 1)[1].split(" ", 1)[0]
    assert Path(executable).is_absolute() and Path(executable).exists()


def test_cli_rejects_a_bad_time(tmp_path):
    completed = run_scout("schedule", "--time", "25:00", "--data-dir", str(tmp_path), check=False)
    assert completed.returncode == 2 and "HH:MM" in completed.stderr
