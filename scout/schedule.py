"""Weekly crawls: a cron line and a systemd user service + timer that run crawl → process → index → discover.

Scheduled jobs run with a bare environment (no venv activated, another working directory), so every
path in them is absolute: the ``scout`` executable and the data directory.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

UNIT_NAME = "scout-crawl"
DEFAULT_SYSTEMD_DIR = Path("~/.config/systemd/user")
LOG_FILE_NAME = "weekly.log"

# Cron counts Sunday as 0; systemd's OnCalendar takes the English abbreviation.
WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 0}
TIME_PATTERN = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class WeeklySchedule:
    scout: tuple[str, ...]  # how to run scout: its executable, or python -m scout.cli
    data_dir: Path  # absolute
    weekday: str  # a key of WEEKDAYS
    hour: int
    minute: int

    @property
    def steps(self) -> tuple[tuple[str, ...], ...]:
        """The jobs in order; each runs only if the one before it succeeded. Discovery comes last, so a
        listing it cannot read never holds back the index."""
        data_dir = ("--data-dir", str(self.data_dir))
        return (
            (*self.scout, "crawl", "--all", *data_dir),
            (*self.scout, "process", *data_dir),
            (*self.scout, "index", *data_dir),
            (*self.scout, "discover", *data_dir),
        )


def parse_time(text: str) -> tuple[int, int]:
    """'03:00' -> (3, 0); raises ValueError for anything but a 24-hour HH:MM."""
    match = TIME_PATTERN.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time of day as HH:MM (24-hour), e.g. 03:00")
    return int(match.group(1)), int(match.group(2))


def scout_command(argv0: str | None = None) -> tuple[str, ...]:
    """The absolute command that runs this scout, for use outside this shell and venv."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).name == "scout" and Path(argv0).is_file():
        return (str(Path(argv0).absolute()),)
    # Run as `python -m scout.cli`: prefer the scout installed beside this interpreter (same venv) to PATH's.
    beside_python = Path(sys.executable).parent / "scout"
    if beside_python.is_file():
        return (str(beside_python.absolute()),)
    installed = shutil.which("scout")
    if installed:
        return (str(Path(installed).absolute()),)
    # Run as `python -m scout.cli` with no `scout` on PATH: this interpreter can run it the same way.
    return (sys.executable, "-m", "scout.cli")


def make_schedule(data_dir: Path, weekday: str, time_of_day: str, argv0: str | None = None) -> WeeklySchedule:
    weekday = weekday.lower()
    if weekday not in WEEKDAYS:
        raise ValueError(f"{weekday!r} is not one of {', '.join(WEEKDAYS)}")
    hour, minute = parse_time(time_of_day)
    return WeeklySchedule(scout_command(argv0), Path(os.path.abspath(data_dir)), weekday, hour, minute)


# -- cron ---------------------------------------------------------------------------------------------


def cron_line(schedule: WeeklySchedule) -> str:
    """One crontab line; output is appended to <data-dir>/weekly.log since cron would only mail it."""
    chain = " && ".join(shlex.join(step) for step in schedule.steps)
    log_file = shlex.quote(str(schedule.data_dir / LOG_FILE_NAME))
    command = f"{{ {chain}; }} >> {log_file} 2>&1"
    # An unescaped % ends a crontab command and turns the rest into its stdin.
    command = command.replace("%", r"\%")
    return f"{schedule.minute} {schedule.hour} * * {WEEKDAYS[schedule.weekday]} {command}"


# -- systemd ------------------------------------------------------------------------------------------


def systemd_quote(argument: str) -> str:
    """Quote one argument for an ExecStart= line (systemd has its own rules: % and $ are special)."""
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    if escaped and not re.search(r"[\s\"'\\;]", escaped):
        return escaped
    return f'"{escaped}"'


def service_unit(schedule: WeeklySchedule) -> str:
    # A oneshot service runs its ExecStart= lines in order and stops at the first that fails:
    # the same chain as `crawl && process && index`, without a shell.
    exec_lines = "\n".join("ExecStart=" + " ".join(systemd_quote(arg) for arg in step) for step in schedule.steps)
    return (
        "[Unit]\n"
        f"Description=Scout weekly crawl, process, index and discovery of {_unit_text(schedule.data_dir)}\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"{exec_lines}\n"
    )


def timer_unit(schedule: WeeklySchedule) -> str:
    return (
        "[Unit]\n"
        f"Description=Weekly Scout crawl of {_unit_text(schedule.data_dir)}\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={schedule.weekday.capitalize()} *-*-* {schedule.hour:02d}:{schedule.minute:02d}:00\n"
        "# Run at the next start-up when the machine was off at the scheduled time.\n"
        "Persistent=true\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def _unit_text(path: Path) -> str:
    return str(path).replace("%", "%%")


def unit_files(schedule: WeeklySchedule) -> dict[str, str]:
    """File name -> contents of the service and timer units."""
    return {f"{UNIT_NAME}.service": service_unit(schedule), f"{UNIT_NAME}.timer": timer_unit(schedule)}


def install_units(schedule: WeeklySchedule, systemd_dir: Path) -> list[Path]:
    """Write both units into systemd_dir (created if needed); returns the paths written."""
    systemd_dir = systemd_dir.expanduser()
    systemd_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in unit_files(schedule).items():
        path = systemd_dir / name
        path.write_text(text, encoding="utf-8")
        log.info("wrote %s", path)
        written.append(path)
    return written


ENABLE_COMMANDS = (
    "systemctl --user daemon-reload",
    f"systemctl --user enable --now {UNIT_NAME}.timer",
)
