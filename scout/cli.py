"""`scout`: one command for every job — demo, crawl, process, index, serve, search, stats, tag, eval."""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import json
import logging
import os
import shlex
import shutil
import signal
import socket
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from scout import pipeline, schedule
from scout.locking import LockedError, data_dir_lock
from scout.registry import TYPES, RegistryError, load_registry_for, parse_organisations, registry_by_id
from scout.schemas import FILE_KINDS, schema_text
from scout.settings import Settings, SettingsError, load_settings
from store import Store, StoreError

log = logging.getLogger(__name__)


class CliError(click.ClickException):
    """What every failed command prints: one line on stderr; exit 1 for a failure, 2 for bad input."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the message held
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"scout: error: {self.format_message()}", err=True)


class BadInput(CliError):
    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=2)


@contextlib.contextmanager
def one_line_errors() -> Iterator[None]:
    """Click's usage errors print usage, a hint and the error on three lines: made into one."""
    try:
        yield
    except (CliError, click.exceptions.NoArgsIsHelpError):
        raise
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        raise CliError(exc.format_message() + hint, exc.exit_code) from None
    except click.ClickException as exc:
        raise CliError(exc.format_message(), exc.exit_code) from None


class ScoutCommand(click.Command):
    def get_short_help_str(self, limit: int = 45) -> str:
        # `scout --help` lists each command with its whole first paragraph; click would cut it at `limit`.
        return " ".join((self.help or "").split("\n\n")[0].split())


class ScoutGroup(click.Group):
    command_class = ScoutCommand
    get_short_help_str = ScoutCommand.get_short_help_str  # for command groups such as `scout candidates`

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order they are defined below: the pipeline's

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with one_line_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with one_line_errors():
            try:
                return super().invoke(ctx)
            except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
                raise
            except StoreError as exc:  # a damaged or foreign store file: the message says which and why
                raise CliError(str(exc)) from None
            except Exception as exc:
                # A bug or an environment problem: still one line, with the traceback in the log at -v.
                log.info("%s failed", ctx.invoked_subcommand or "scout", exc_info=True)
                raise CliError(f"{type(exc).__name__}: {exc} (run with -v for details)") from None


def with_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds --data-dir to a command and hands it the loaded Settings instead.

    The directory is not created here: only crawl and demo fill one, once their input is known to be good,
    and a mistyped --data-dir given to any other command must not become an empty store reported as real.
    """

    @click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Where the store and indexes live (default: $SCOUT_DATA_DIR, else ./var).")
    @functools.wraps(command)
    def wrapper(data_dir: Path | None, **kwargs: Any) -> Any:
        try:
            settings = load_settings(data_dir)
        except SettingsError as exc:
            raise CliError(str(exc)) from None
        return command(settings, **kwargs)

    return wrapper


def no_scout_data(settings: Settings) -> CliError:
    demo_dir = settings.data_dir / "demo"
    demo_hint = f"; the demo's data is in {demo_dir}" if (demo_dir / settings.database_path.name).is_file() else ""
    return CliError(f"no Scout data in {settings.data_dir} (run `scout crawl` or `scout demo` first{demo_hint})")


def needs_store(command: Callable[..., Any]) -> Callable[..., Any]:
    """Runs a command only on a data directory that holds a store (goes below @with_settings and @holding_lock)."""

    @functools.wraps(command)
    def wrapper(settings: Settings, **kwargs: Any) -> Any:
        if not settings.database_path.is_file():
            raise no_scout_data(settings)
        return command(settings, **kwargs)

    return wrapper


@contextlib.contextmanager
def exclusive_data_dir(settings: Settings) -> Iterator[None]:
    """The data directory's lock, or a CLI error naming the job that holds it."""
    if not settings.data_dir.is_dir():  # locking would create it
        raise no_scout_data(settings)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(data_dir_lock(settings))
        except LockedError as exc:
            raise CliError(str(exc)) from None
        except OSError as exc:
            raise CliError(f"cannot lock {settings.data_dir}: {exc.strerror} ({exc.filename})") from None
        yield


def holding_lock(command: Callable[..., Any]) -> Callable[..., Any]:
    """Runs a command that writes the store or index with its data directory locked (goes below @with_settings)."""

    @functools.wraps(command)
    def wrapper(settings: Settings, **kwargs: Any) -> Any:
        with exclusive_data_dir(settings):
            return command(settings, **kwargs)

    return wrapper


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


# Help uses up to 120 columns where the terminal has them, so most descriptions fit on one line.
@click.group(cls=ScoutGroup, context_settings={"max_content_width": 120})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Scout: find photonics-for-health technologies, partners and end-users in target markets."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler()
    # On the handler, not only the root logger: Scrapy sets its own loggers to DEBUG and they propagate here.
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Where the UI listens.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-serve", is_flag=True, help="Build the demo index and exit without serving the UI.")
@with_settings
def demo(settings: Settings, host: str, port: int, no_serve: bool) -> None:
    """Serve the bundled demo sites on loopback, crawl, process and index them, then serve the UI."""
    from scout.demo_site import DemoSites

    # Taken before the minute of crawling, so a busy port fails at once rather than after it.
    listener = None if no_serve else listening_socket(host, port)
    demo_settings = settings.replace(data_dir=settings.data_dir / "demo", download_delay=0.0, autothrottle=False)
    demo_settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Locked while serving too, so a second demo cannot wipe this one's store from under it.
    with contextlib.ExitStack() as stack:
        if listener is not None:
            stack.enter_context(listener)
        stack.enter_context(exclusive_data_dir(demo_settings))
        sites = stack.enter_context(DemoSites())
        # Ports change per run, so stale demo pages would point nowhere.
        clear_directory(demo_settings.data_dir, keep=demo_settings.lock_path)
        organisations = demo_organisations(sites.organisations)
        run = pipeline.crawl(demo_settings, organisations)
        if run["status"] == "interrupted":
            raise CliError("demo stopped during its crawl", exit_code=130)
        if run["status"] != "finished":
            raise CliError(f"demo crawl failed: {run.get('reason', 'see the log (run with -v)')}")
        click.echo(f"crawled {run['fetched']} demo pages from {len(organisations)} fictional organisations")
        report, _duplicates = pipeline.process(demo_settings)
        click.echo(f"processed {report.processed} pages ({report.tagged} tagged)")
        found = pipeline.discover(demo_settings)
        click.echo(f"found {found.candidates} candidate organisations on the demo's listings (scout candidates)")
        click.echo(f"indexed {pipeline.index(demo_settings)} pages into {describe_index(demo_settings)}")
        import_demo_roster(demo_settings)
        click.echo(f"try: {scout_invocation()} search \"optical coherence tomography\" "
                   f"--data-dir {shell_path(demo_settings.data_dir)}")
        demo_login = demo_user(demo_settings)
        if listener is not None:
            host, port = listener.getsockname()[:2]
            click.echo(f"log in at http://{host}:{port}/login as {demo_login}")
            serve_app(demo_settings, listener)
        else:
            click.echo(f"log in as {demo_login} once served: {scout_invocation()} serve "
                       f"--data-dir {shell_path(demo_settings.data_dir)}")


def demo_user(settings: Settings) -> str:
    """A staff user of the demo roster's cluster with a password new to this demo run: "demo / PASSWORD"."""
    import secrets

    from search_app import access

    password = secrets.token_urlsafe(12)
    access.add_user(settings, "demo", DEMO_CLUSTER, "staff", password)
    return f"demo / {password}"


DEMO_ROSTER = Path(__file__).resolve().parent.parent / "data" / "demo_roster.csv"
DEMO_CLUSTER = "litek"


def import_demo_roster(settings: Settings) -> None:
    """The fictional demo SMEs, into one partner cluster's roster, so matches and shortlists have something to show."""
    from search_app.rosters import import_roster

    with Store.open(settings.database_path) as store:
        report = import_roster(store, DEMO_CLUSTER, DEMO_ROSTER)
    click.echo(f"imported {report.created + report.updated} fictional demo SMEs into the roster of {DEMO_CLUSTER}")


def clear_directory(directory: Path, keep: Path) -> None:
    """Empty a directory but for `keep`: deleting a held lock file would let another job lock a new one."""
    for entry in directory.iterdir():
        if entry == keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


DEMO_FIELDS = ("id", "name", "country", "market", "type", "website", "start_urls", "languages")


def demo_organisations(records: list[dict[str, Any]]):
    entries = [{**{key: record[key] for key in DEMO_FIELDS if key in record},
                "source": "data/demo_site/organisations.yaml (fictional demo data)"} for record in records]
    return parse_organisations(entries, "demo sites")


def shell_path(path: Path) -> str:
    """A path to paste into a shell here: relative to the working directory when it lies below it."""
    absolute = path.absolute()  # not resolve(): a venv's bin/python is a symlink that must stay one
    with contextlib.suppress(ValueError):
        relative = absolute.relative_to(Path.cwd())
        return shlex.quote(str(relative) if "/" in str(relative) else f"./{relative}")
    return shlex.quote(str(absolute))


def scout_invocation() -> str:
    """How to run this same scout from a fresh shell, which may not have the venv's bin on its PATH."""
    program = Path(sys.argv[0])
    if program.name != "scout":  # run as `python -m scout.cli`
        return f"{shell_path(Path(sys.executable))} -m scout.cli"
    on_path = shutil.which("scout")
    if on_path and Path(on_path).resolve() == program.resolve():
        return "scout"
    return shell_path(program)


@main.command()
@click.option("--org", "org_ids", multiple=True, metavar="ID", help="Crawl this registry organisation (repeatable).")
@click.option("--url", "urls", multiple=True, metavar="URL", help="Crawl an ad-hoc site, staying on its host.")
@click.option("--all", "crawl_all", is_flag=True, help="Crawl every organisation in the registry.")
@with_settings
def crawl(settings: Settings, org_ids: tuple[str, ...], urls: tuple[str, ...], crawl_all: bool) -> None:
    """Fetch organisations' pages into the store (robots.txt obeyed, same site only)."""
    if not (org_ids or urls or crawl_all):
        raise click.UsageError("name what to crawl: --org ID, --url URL or --all")
    try:
        registry = registry_by_id(load_registry_for(settings.data_dir))
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    unknown = [org_id for org_id in org_ids if org_id not in registry]
    if unknown:
        raise click.BadParameter(f"not in the registry: {', '.join(unknown)}", param_hint="--org")
    targets = list(registry.values()) if crawl_all else [registry[org_id] for org_id in org_ids]
    try:
        targets += [pipeline.adhoc_organisation(url) for url in urls]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--url") from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # only once the command line is known to be good
    with exclusive_data_dir(settings):
        run = pipeline.crawl(settings, targets)
    if run["status"] == "failed":
        raise CliError(f"crawl {run['id']} failed: {run.get('reason', 'see the log (run with -v)')}")
    click.echo(
        f"crawl {run['id']} {run['status']}: fetched {run['fetched']}, new {run['new']}, changed {run['changed']}, "
        f"unchanged {run['unchanged']}, failed {run['failed']}"
    )


@main.command()
@click.option("--reanalyse", is_flag=True,
              help="Analyse every page again, not only new, changed and older-version pages.")
@with_settings
@holding_lock
@needs_store
def process(settings: Settings, reanalyse: bool) -> None:
    """Extract text, detect language, tag applications and estimate TRL of new or changed pages.

    Pages an older analysis (taxonomy, vocabularies, models, code) made are analysed again by themselves;
    the next `scout index` follows.
    """
    report, duplicates = pipeline.process(settings, reanalyse=reanalyse)
    click.echo(f"processed {report.processed} pages ({report.reanalysed} analysed again, {report.tagged} tagged, "
               f"{report.failed} failed); "
               f"{report.boilerplate_only} changed only around their main text; "
               f"{duplicates} pages are duplicates of others")


@main.command()
@click.option("--rebuild", is_flag=True,
              help="Build a new index of every page aside and swap it in; the old one answers until then.")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True,
              help="Embed passages for semantic search (slow); without, the vectors there are stay as they are.")
@click.option("--batch-pages", type=click.IntRange(min=1), default=500, show_default=True,
              help="Pages written and committed at a time; a killed run redoes at most one batch.")
@with_settings
@holding_lock
@needs_store
def index(settings: Settings, rebuild: bool, embeddings: bool, batch_pages: int) -> None:
    """Write processed pages into the search index (the search_backend setting chooses the engine)."""
    count = pipeline.index(settings, rebuild=rebuild, embeddings=embeddings, batch_pages=batch_pages)
    click.echo(f"indexed {count} pages into {describe_index(settings)}")
    hint = backend_hint(settings)
    if hint:
        click.echo(hint, err=True)


# benchmarks/search.py: beyond about 2,000 pages Whoosh's keyword searches pass 100 ms and its rebuilds
# slow to tens of pages a second, while tantivy stays far under (README, "Benchmarks").
WHOOSH_COMFORTABLE_PAGES = 2_000


def backend_hint(settings: Settings) -> str:
    """Advice to switch to tantivy when a Whoosh index has outgrown it, else ""."""
    from indexer.index.build import indexed_page_count

    if settings.search_backend != "whoosh":
        return ""
    pages = indexed_page_count(settings.index_dir)
    if pages <= WHOOSH_COMFORTABLE_PAGES:
        return ""
    return (f"hint: the index holds {pages} pages; above {WHOOSH_COMFORTABLE_PAGES} searches are several times "
            "faster with search_backend: tantivy (set it in settings.yaml or SCOUT_SEARCH_BACKEND; the next "
            "scout index rebuilds)")


def describe_index(settings: Settings) -> str:
    """Where the index now is, and which generation and backend answer searches."""
    from retrieval.layout import current_index

    current = current_index(settings.index_dir)
    return f"{settings.index_dir} (backend {current.backend}, generation {current.number})"


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@with_settings
@needs_store
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the search UI and JSON API with waitress."""
    with listening_socket(host, port) as listener:
        serve_app(settings, listener)


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound now: a busy port is one clear error before any work is done."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        # Not str(exc): socket.create_server appends the address again to its errors.
        reason = exc.strerror if isinstance(exc, socket.gaierror) or not exc.errno else os.strerror(exc.errno)
        hint = " (another program listens there: choose another --port)" if exc.errno == errno.EADDRINUSE else ""
        raise CliError(f"cannot serve on {host}:{port}: {reason}{hint}") from None


def serve_app(settings: Settings, listener: socket.socket) -> None:
    """Serve until Ctrl+C or SIGTERM, either of which ends the command normally."""
    import waitress

    from search_app import create_app

    server = waitress.create_server(create_app(settings), sockets=[listener], threads=4)
    host, port = listener.getsockname()[:2]
    # Everything loaded so far (models, index) lives until exit: kept out of the collector's sweeps, the
    # server answers without them, and the process ends at once instead of sweeping them for seconds.
    gc.freeze()
    previous = signal.signal(signal.SIGTERM, stop_serving)
    try:
        click.echo(f"Scout is serving on http://{host}:{port}/  (Ctrl+C to stop)")
        server.run()  # returns on KeyboardInterrupt or SystemExit, having closed its sockets
    except (KeyboardInterrupt, SystemExit):  # one that came before the server's loop began
        server.close()
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("Scout stopped serving")


def stop_serving(signal_number: int, frame: Any) -> None:
    raise SystemExit(0)


def known_applications(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """--app ids upper-cased, checked while parsing: a mistyped id is a usage error before anything is opened."""
    from taxonomy import APPLICATIONS

    unknown = [value for value in values if value.upper() not in APPLICATIONS]
    if unknown:
        raise click.BadParameter(f"unknown application id(s) {', '.join(unknown)}; use A01..A35")
    return tuple(value.upper() for value in values)


# `scout search` options -> the search parameter each one is (the API's names, validated by the same code).
SEARCH_OPTIONS = (
    ("--app", "app", True, "A01..A35", "Only pages tagged with this application."),
    ("--area", "area", True, "AREA", "Only pages of applications in this thematic area (e.g. therapy)."),
    ("--trl-min", "trl_min", False, "1..9", "Only pages at or above this TRL."),
    ("--trl-max", "trl_max", False, "1..9", "Only pages at or below this TRL."),
    ("--country", "country", True, "CC", "Only organisations in this country (ISO 3166-1 alpha-2)."),
    ("--market", "market", True, "MARKET", "Only organisations in this registry market (e.g. japan)."),
    ("--type", "type", True, "TYPE", "Only organisations of this type (e.g. company)."),
    ("--role", "role", True, "ROLE", "Only pages of this value-chain role (e.g. system-supplier)."),
    ("--lang", "lang", True, "LL", "Only pages in this language (ISO 639-1)."),
    ("--org", "org", True, "ID", "Only this organisation's pages."),
    ("--since", "since", False, "DAY", "Only pages new or changed on or after YYYY-MM-DD, or 'last-crawl'."),
    ("--published-after", "published_after", False, "DAY", "Only pages stating a publication date on or after it."),
    ("--sort", "sort", False, "ORDER", "relevance (default), trl, date or published."),
    ("--group", "group", False, "organisation", "One entry per organisation with its best pages."),
    ("--mode", "mode", False, "MODE",
     "bm25 (default here: keywords, answers in about a second), hybrid or vectors (these load the embedding "
     "model first, about 10 s)."),
    ("--page", "page", False, "N", "Which page of results (1..50)."),
    ("--limit", "limit", False, "N", "Results per page (1..100, default 10)."),
)
CLI_PAGE_SIZE = "10"


def search_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every search parameter as a plain-text option: retrieval.requests validates them, as for the API."""
    for flag, parameter, repeatable, metavar, help_text in reversed(SEARCH_OPTIONS):
        command = click.option(flag, parameter, multiple=repeatable, metavar=metavar, help=help_text)(command)
    return command


def search_help() -> str:
    """`scout search --help`: what it does, the query language and its examples (shown as written)."""
    from retrieval.query import EXAMPLES
    from retrieval.requests import query_language_help

    # "--" first where a query starts with "-", or the shell's word would be read as an option.
    examples = "\n".join(f"  scout search {'-- ' if query.startswith('-') else ''}{shlex.quote(query)}\n      {meaning}"
                         for query, meaning in EXAMPLES)
    # \b keeps click from rewrapping a paragraph (the grammar's layout is its meaning).
    grammar = "\n\n".join("\b\n" + paragraph for paragraph in query_language_help().split("\n\n"))
    return (
        "Search the index with Scout's query language; the options add filters (ANDed with the query).\n\n"
        "Keyword (bm25) search is the default here: it never loads the embedding model, so it answers in about "
        "a second. --mode hybrid or vectors also match by meaning but load the model first (about 10 s). "
        "Errors (a malformed query, a bad option value) print one line and exit with status 2.\n\n"
        f"\b\nExamples:\n{examples}\n\n{grammar}"
    )


@main.command(help=search_help())
@click.argument("query")
@search_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the API's shape).")
@with_settings
def search(settings: Settings, query: str, as_json: bool, **options: Any) -> None:
    from retrieval.engine import IndexMissingError
    from retrieval.requests import RequestError, parse_search_request
    from retrieval.service import Searcher, StaleIndexError, last_crawl_day

    params = {"q": [query]} | {name: list(value) if isinstance(value, tuple) else [value]
                                for name, value in options.items() if value not in (None, ())}
    params.setdefault("limit", [CLI_PAGE_SIZE])
    # Bad input is reported first (exit 2), with or without a store; then a missing store (exit 1).
    try:
        request = parse_search_request(params, last_crawl=last_crawl_day(settings.database_path),
                                       default_mode="bm25")
    except RequestError as exc:
        raise BadInput(str(exc)) from None
    if not settings.database_path.is_file():
        raise no_scout_data(settings)
    searcher = Searcher(settings.index_dir, settings.database_path)
    try:
        results = searcher.search(request)
    except (IndexMissingError, StaleIndexError) as exc:
        raise CliError(str(exc)) from None
    finally:
        searcher.close()
    if as_json:
        from retrieval.results_json import search_json

        emit_json(search_json(results, request.page, request.limit))
        return
    print_results(results, request)


def print_results(results, request) -> None:
    from retrieval.results import snippet_text

    grouped = f" from {results.total_groups} organisations" if results.groups is not None else ""
    click.echo(f"{results.total} results{grouped} for {results.reading or 'every page'} ({results.mode})")
    groups = results.groups if results.groups is not None else [[hit] for hit in results.hits]
    rank = request.offset
    for group in groups:
        if results.groups is not None:
            head = group[0]
            click.echo(f"  {head.organisation or head.url} ({head.country or '?'})")
        for hit in group:
            rank += 1 if results.groups is None or hit is group[0] else 0
            trl = f"TRL {hit.trl}" if hit.trl else "TRL ?"
            click.echo(f"{rank:3}. {hit.title}  [{', '.join(hit.applications) or '-'}; {trl}]  {hit.score:.3f}")
            click.echo(f"     {hit.organisation or '-'} ({hit.country or '?'})  {hit.url}")
            snippet = " ".join(snippet_text(hit.snippets).split())
            if snippet:
                click.echo(f"     {snippet[:200]}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_settings
@needs_store
def stats(settings: Settings, as_json: bool) -> None:
    """Counts of organisations, pages, tagged and indexed pages, and the last crawl."""
    if as_json:
        from search_app.service import stats as stats_json

        emit_json(stats_json(settings))
        return
    figures = pipeline.stats(settings)
    for key, value in figures.items():
        if key != "last_crawl":
            click.echo(f"{key.replace('_', ' ')}: {value}")
    last = figures["last_crawl"]
    if last:
        click.echo(f"last crawl: {last['started']} → {last['finished']} ({last['status']}): "
                   + ", ".join(f"{k} {last[k]}" for k in ("fetched", "new", "changed", "unchanged", "gone", "failed")))
    else:
        click.echo("last crawl: never")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_settings
@needs_store
def coverage(settings: Settings, as_json: bool) -> None:
    """Every organisation by market and country: last crawl, pages, new/changed, errors, robots.txt blocks."""
    from scout.coverage import coverage_report, format_table

    try:
        registry = load_registry_for(settings.data_dir)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    report = coverage_report(settings, registry)
    if as_json:
        from scout import shapes

        emit_json(shapes.coverage(report))
    else:
        click.echo(format_table(report))


@main.command(name="schedule")
@click.option("--install", is_flag=True, help="Write the systemd units into --systemd-dir instead of printing them.")
@click.option("--systemd-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where --install writes the units (default: ~/.config/systemd/user).")
@click.option("--weekday", type=click.Choice(list(schedule.WEEKDAYS), case_sensitive=False),
              default="mon", show_default=True)
@click.option("--time", "time_of_day", default="03:00", show_default=True, help="Local time of day, HH:MM (24-hour).")
@with_settings
def schedule_command(settings: Settings, install: bool, systemd_dir: Path | None, weekday: str, time_of_day: str) -> None:
    """Print a weekly cron line and systemd timer that run crawl --all, process, index and discover (--install writes the units)."""
    try:
        plan = schedule.make_schedule(settings.data_dir, weekday, time_of_day)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--time") from None
    systemd_dir = (systemd_dir or schedule.DEFAULT_SYSTEMD_DIR).expanduser()
    if install:
        try:
            written = schedule.install_units(plan, systemd_dir)
        except OSError as exc:
            raise CliError(f"cannot write the units into {systemd_dir}: {exc.strerror} ({exc.filename})") from None
        for path in written:
            click.echo(f"wrote {path}")
        click.echo("Now enable the timer (Scout does not run systemctl for you):")
        for command in schedule.ENABLE_COMMANDS:
            click.echo(f"  {command}")
        click.echo("To let it run while you are logged out: loginctl enable-linger $USER")
        return
    when = f"{weekday.capitalize()}days at {plan.hour:02d}:{plan.minute:02d} local time"
    click.echo(f"# Weekly crawl → process → index → discover of {plan.data_dir}, {when}. Use ONE of the two.\n")
    click.echo(f"# 1. cron: add this line with `crontab -e` (output goes to {plan.data_dir / schedule.LOG_FILE_NAME})")
    click.echo(schedule.cron_line(plan) + "\n")
    click.echo("# 2. systemd user timer (output goes to the journal: journalctl --user -u scout-crawl),")
    click.echo("#    or run `scout schedule --install` to write these two files:")
    for name, text in schedule.unit_files(plan).items():
        click.echo(f"\n# --- {systemd_dir / name}\n{text}", nl=False)
    click.echo("\n# then:\n" + "\n".join(schedule.ENABLE_COMMANDS))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", "as_jsonl", is_flag=True,
              help="Read JSON lines ({text, lang?, organisation_type?}) and print one JSON object per line.")
@click.option("--lang", default=None, help="Language of the text (detected when omitted).")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True,
              help="Let the MiniLM embedding signal support the term signal.")
def tag(as_json: bool, as_jsonl: bool, lang: str | None, embeddings: bool) -> None:
    """Tag text read from stdin: applications, TRL, role, organisation, country, regulatory status and
    Europe-entry signals, each with its evidence."""
    from indexer.analysis.analyser import KnownOrganisation, TextAnalyser, describe
    from scout.text_input import TextInputError, decode_text, parse_records

    try:
        # Bytes, decoded here: the text-mode stdin would smuggle undecodable bytes in as lone surrogates.
        text = decode_text(sys.stdin.buffer.read())
        records = parse_records(text) if as_jsonl else None
    except TextInputError as exc:
        raise BadInput(str(exc)) from None
    if records is None and not text.strip():
        raise click.UsageError("no text on stdin")
    analyser = TextAnalyser(use_embeddings=embeddings)
    if records is not None:
        analyses = analyser.analyse_many(
            [r["text"] for r in records], [r.get("lang") or lang for r in records],
            [KnownOrganisation(type=r.get("organisation_type")) for r in records])
        for analysis in analyses:
            click.echo(json.dumps(analysis.as_dict(), ensure_ascii=False))
        return
    analysis = analyser.analyse(text, lang)
    if as_json:
        emit_json(analysis.as_dict())
        return
    click.echo(describe(analysis))


@main.command(name="eval")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True,
              help="Let the MiniLM embedding signal support the term signal.")
def eval_(path: Path, as_json: bool, embeddings: bool) -> None:
    """Measure tagging and TRL quality on labelled JSON lines (text, applications, trl)."""
    from indexer.analysis.analyser import TextAnalyser
    from indexer.analysis.evaluation import EvaluationDataError, evaluate_analyser, format_report, load_jsonl

    try:
        records = load_jsonl(path)
    except EvaluationDataError as exc:
        raise BadInput(str(exc)) from None
    metrics = evaluate_analyser(records, TextAnalyser(use_embeddings=embeddings))
    metrics["embeddings"] = embeddings
    if as_json:
        emit_json(metrics)
    else:
        click.echo(format_report(metrics))


@main.group(cls=ScoutGroup)
def user() -> None:
    """Add and list the users of the UI and API.

    Each belongs to one partner cluster and has a role: scout, staff or admin."""


@user.command(name="add")
@click.argument("name")
@click.option("--cluster", "cluster_id", required=True, metavar="ID", help="The user's partner cluster (registry id).")
@click.option("--role", required=True, type=click.Choice(["scout", "staff", "admin"]), help="What the user may do.")
@with_settings
def user_add(settings: Settings, name: str, cluster_id: str, role: str) -> None:
    """Add a user, reading the password from the first line of stdin; an existing user's cluster, role and
    password are replaced (which logs them out everywhere)."""
    from search_app import access

    try:
        access.check_user(name, cluster_id, role)  # before reading the password, so a typo costs no retyping
        password = read_password()
        access.check_password(password)
        settings.data_dir.mkdir(parents=True, exist_ok=True)  # only once the input is known to be good
        added = access.add_user(settings, name, cluster_id, role, password)
    except access.AccessError as exc:
        raise BadInput(str(exc)) from None
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    click.echo(f"{'added' if added else 'updated'} user {name} ({role}, cluster {cluster_id})")


def read_password() -> str:
    """The first line of stdin, without its line ending; typed unseen when stdin is a terminal."""
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Password: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise BadInput("no password on stdin (give it as the first line)")
    return password


@user.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_settings
@needs_store
def user_list(settings: Settings, as_json: bool) -> None:
    """The users, with their cluster and role (never their passwords)."""
    from scout import shapes
    from search_app import access

    users = access.list_users(settings)
    if as_json:
        emit_json({"users": [shapes.user(account) for account in users]})
        return
    for account in users:
        click.echo(f"{account.name}\t{account.cluster_id}\t{account.role}")
    if not users:
        click.echo("no users yet: add one with `scout user add NAME --cluster ID --role ROLE`", err=True)


@main.command(name="schema")
@click.argument("kind", metavar="KIND", type=click.Choice(list(FILE_KINDS)))
def schema_command(kind: str) -> None:
    """Print the JSON Schema of a YAML file kind, for editors (README, "Editing the YAML files")."""
    click.echo(schema_text(kind), nl=False)


# -- discovery: candidate organisations from listing pages, reviewed into the registry ---------------------


@main.command()
@with_settings
@holding_lock
@needs_store
def discover(settings: Settings) -> None:
    """Find candidate organisations on the member, partner, exhibitor and portfolio lists crawled so far."""
    try:
        report = pipeline.discover(settings)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    click.echo(f"read {report.pages_read} pages: {report.listing_pages} list organisations "
               f"({report.entries} entries, {report.known} already in the registry); "
               f"{report.candidates} candidates to review ({report.new} new)")


def data_dir_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--data-dir on a subcommand, falling back to its group's, so it may come before or after the subcommand."""

    @click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Where the store and indexes live (default: $SCOUT_DATA_DIR, else ./var).")
    @click.pass_context
    @functools.wraps(command)
    def wrapper(ctx: click.Context, data_dir: Path | None, **kwargs: Any) -> Any:
        data_dir = data_dir or (ctx.parent.params.get("data_dir") if ctx.parent else None)
        try:
            settings = load_settings(data_dir)
        except SettingsError as exc:
            raise CliError(str(exc)) from None
        return command(settings, **kwargs)

    return wrapper


def market_choice() -> click.Choice:
    from scout.registry import MARKETS

    return click.Choice(sorted(MARKETS), case_sensitive=False)


@main.group(cls=ScoutGroup, invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--market", type=market_choice(), default=None, help="Only candidates in this market.")
@click.option("--app", "application", metavar="A01..A35", default=None, help="Only candidates whose listing names it.",
              callback=lambda ctx, param, value: known_applications(ctx, param, (value,))[0] if value else None)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the store and indexes live (default: $SCOUT_DATA_DIR, else ./var).")
@click.pass_context
def candidates(ctx: click.Context, as_json: bool, market: str | None, application: str | None,
               data_dir: Path | None) -> None:
    """Candidate organisations found by `scout discover`, with their evidence; accept or reject them."""
    if ctx.invoked_subcommand is not None:
        return
    list_candidates(data_dir=data_dir, as_json=as_json, market=market.lower() if market else None,
                    application=application)


@with_settings
@needs_store
def list_candidates(settings: Settings, as_json: bool, market: str | None, application: str | None) -> None:
    from scout import discovery, shapes
    from store import Store

    with Store.open(settings.database_path) as store:
        found = discovery.candidates(store, market=market, application=application)
        organisations = {org["id"]: org for org in store.organisations()}
    if as_json:
        emit_json(shapes.candidates(found, organisations))
        return
    if not found:
        click.echo("no candidates to review (run `scout discover` after a crawl)")
    for candidate in found:
        lists = ", ".join(organisations.get(org_id, {}).get("name") or org_id for org_id in discovery.listed_by(candidate))
        click.echo(f"{candidate.id}  {candidate.name}  {candidate.website or '(no website)'}  "
                   f"[{candidate.country or '?'}; {', '.join(candidate.applications) or '-'}]")
        click.echo(f"    listed by {lists or 'an ad-hoc site'}: {candidate.listings[0].entry_text[:160]}")
        click.echo(f"    {candidate.listings[0].url}")


@candidates.command()
@click.argument("candidate_id", metavar="ID")
@click.option("--type", "org_type", type=click.Choice(sorted(TYPES)), default="company", show_default=True,
              help="What kind of organisation it is.")
@click.option("--country", default=None, metavar="CC", help="ISO 3166-1 alpha-2, when the listings do not say.")
@click.option("--market", type=market_choice(), default=None, help="Default: the country's.")
@click.option("--language", "languages", multiple=True, metavar="LL", help="Website language(s), ISO 639-1 (default en).")
@click.option("--id", "organisation_id", default=None, help="Registry id to give it (default: the candidate's).")
@data_dir_option
@needs_store
def accept(settings: Settings, candidate_id: str, org_type: str, country: str | None, market: str | None,
           languages: tuple[str, ...], organisation_id: str | None) -> None:
    """Add a candidate to the registry (the data directory's organisations.yaml); the next crawl fetches it."""
    from scout import discovery
    from store import Store

    with Store.open(settings.database_path) as store:
        try:
            organisation = discovery.accept(store, settings.data_dir, candidate_id, org_type, country,
                                            market.lower() if market else None, languages or ("en",),
                                            organisation_id)
        except discovery.CandidateError as exc:
            raise BadInput(str(exc)) from None
    where = registry_file(settings)
    crawled = "crawled from the next `scout crawl --all`" if organisation.crawlable else "not crawled: no website"
    click.echo(f"accepted {candidate_id} as organisation {organisation.id} ({organisation.type}) in {where}; {crawled}")


@candidates.command()
@click.argument("candidate_id", metavar="ID")
@data_dir_option
@needs_store
def reject(settings: Settings, candidate_id: str) -> None:
    """Never propose this candidate again."""
    from scout import discovery
    from store import Store

    with Store.open(settings.database_path) as store:
        try:
            discovery.reject(store, candidate_id)
        except discovery.CandidateError as exc:
            raise BadInput(str(exc)) from None
    click.echo(f"rejected {candidate_id}: it will not be proposed again")


def registry_file(settings: Settings) -> str:
    from scout.registry import added_organisations_path

    return shell_path(added_organisations_path(settings.data_dir))


@main.group(cls=ScoutGroup)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the store and indexes live (default: $SCOUT_DATA_DIR, else ./var).")
def org(data_dir: Path | None) -> None:
    """The organisations Scout crawls: the packaged registry and those added in the data directory."""


@org.command(name="add")
@click.option("--id", "organisation_id", required=True, help="Lowercase letters, digits and hyphens.")
@click.option("--name", required=True)
@click.option("--country", required=True, metavar="CC", help="ISO 3166-1 alpha-2.")
@click.option("--market", type=market_choice(), default=None, help="Default: the country's.")
@click.option("--type", "org_type", type=click.Choice(sorted(TYPES)), required=True)
@click.option("--website", default=None, help="Home page (http:// or https://); without one it is not crawled.")
@click.option("--language", "languages", multiple=True, metavar="LL", help="Website language(s) (default en).")
@click.option("--role", "roles", multiple=True, help="partner-cluster, target-contact, candidate-partner, eccp-cluster.")
@click.option("--source", default="added with scout org add", show_default=True, help="Where it was found.")
@data_dir_option
def org_add(settings: Settings, organisation_id: str, name: str, country: str, market: str | None, org_type: str,
            website: str | None, languages: tuple[str, ...], roles: tuple[str, ...], source: str) -> None:
    """Add an organisation to the data directory's registry file (validated like the packaged registry)."""
    from scout.discovery import market_of
    from scout.registry import add_organisation

    market = market.lower() if market else market_of(country.upper())
    if market is None:
        raise click.BadParameter(f"no market for country {country}: give --market", param_hint="--market")
    record = {"id": organisation_id, "name": name, "country": country.upper(), "market": market, "type": org_type,
              "website": website, "languages": list(languages or ("en",)), "source": source, "roles": list(roles)}
    try:
        organisation = add_organisation(settings.data_dir, record)
    except RegistryError as exc:
        raise BadInput(str(exc)) from None
    click.echo(f"added {organisation.id} to {registry_file(settings)}")


@org.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@data_dir_option
def org_list(settings: Settings, as_json: bool) -> None:
    """Every organisation crawls see: packaged and added, with its type, country and website."""
    from scout.registry import load_registry_for

    try:
        organisations = load_registry_for(settings.data_dir)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    if as_json:
        emit_json({"organisations": [{"id": o.id, "name": o.name, "country": o.country, "market": o.market,
                                      "type": o.type, "website": o.website, "roles": list(o.roles),
                                      "source": o.source} for o in organisations]})
        return
    for o in organisations:
        click.echo(f"{o.id}  {o.name}  [{o.type}; {o.country}]  {o.website or '(no website)'}")


@org.command(name="export")
@data_dir_option
def org_export(settings: Settings) -> None:
    """Print the organisations added in the data directory as a registry file (for data/organisations/)."""
    from scout.registry import added_records, registry_yaml

    try:
        click.echo(registry_yaml(added_records(settings.data_dir)), nl=False)
    except RegistryError as exc:
        raise CliError(str(exc)) from None


# -- partner clusters: SME rosters, matches, shortlists (search_app.rosters, .matching, .shortlists, .exports) --


def partner_cluster(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """--cluster checked while parsing: an unknown id is a usage error that lists the valid ones."""
    from search_app.rosters import UnknownCluster, check_cluster

    try:
        return check_cluster(value)
    except UnknownCluster as exc:
        raise click.BadParameter(str(exc)) from None
    except RegistryError as exc:
        raise CliError(str(exc)) from None


cluster_option = click.option("--cluster", "cluster_id", required=True, metavar="ID", callback=partner_cluster,
                              help="A partner cluster's registry id (litek, opticsvalley, ...).")


@main.group(cls=ScoutGroup, short_help="A partner cluster's SME roster: import it (CSV or XLSX), list it.")
def sme() -> None:
    """A partner cluster's SME roster: import it, list it."""


@sme.command(name="import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@cluster_option
@click.option("--crawl", is_flag=True, help="Also crawl and process each SME's website to build its profile.")
@with_settings
def sme_import(settings: Settings, path: Path, cluster_id: str, crawl: bool) -> None:
    """Import SMEs from CSV or XLSX (columns name, website, country, capabilities); rejected rows are listed
    with their line and reason; re-importing the same name or website updates it."""
    from search_app import rosters

    try:
        rosters.validate_rows(rosters.read_roster(path))  # a file that cannot be read is bad input: no data dir made
    except rosters.RosterError as exc:
        raise BadInput(str(exc)) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with exclusive_data_dir(settings):
        with Store.open(settings.database_path) as store:
            report = rosters.import_roster(store, cluster_id, path)
        crawled = rosters.crawl_sme_websites(settings, cluster_id, report.sme_ids) if crawl else 0
    click.echo(f"imported {report.created + report.updated} SMEs into {cluster_id} "
               f"({report.created} new, {report.updated} updated); {len(report.rejected)} rows rejected"
               + (f"; crawled {crawled} SME websites" if crawl else ""))
    for rejected in report.rejected:
        click.echo(f"  line {rejected.line}: {rejected.reason}")
    if report.rejected and not report.sme_ids:
        raise CliError(f"nothing imported from {path}: every row was rejected")


@sme.command(name="list")
@cluster_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_settings
@needs_store
def sme_list(settings: Settings, cluster_id: str, as_json: bool) -> None:
    """The cluster's SMEs with the applications and role of their capability profile."""
    from scout import shapes
    from search_app import rosters

    with Store.open(settings.database_path) as store:
        smes = rosters.roster(store, cluster_id)
    if as_json:
        emit_json({"smes": [shapes.sme(entry) for entry in smes]})
        return
    for entry in smes:
        profile = entry["profile"]
        apps = ", ".join(tag["application"] for tag in profile.get("applications", [])) or "-"
        role = (profile.get("role") or {}).get("role") or "role ?"
        click.echo(f"{entry['id']:4}. {entry['name']}  [{apps}; {role}]  {entry['website'] or '-'}")


@main.command()
@click.option("--sme", "sme_name", metavar="NAME", help="Rank found organisations for this SME (name or id).")
@click.option("--org", "organisation_id", metavar="ID", help="Rank the cluster's SMEs for this organisation.")
@cluster_option
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_settings
@needs_store
def match(settings: Settings, sme_name: str | None, organisation_id: str | None, cluster_id: str, limit: int,
          as_json: bool) -> None:
    """Match an SME of the cluster with found organisations (or an organisation with the cluster's SMEs),
    each match with its reasons."""
    from search_app import matching, rosters

    if bool(sme_name) == bool(organisation_id):
        raise click.UsageError("give one of --sme NAME or --org ID")
    with Store.open(settings.database_path) as store:
        if sme_name:
            found = rosters.find_sme(store, cluster_id, sme_name)
            if found is None:
                raise BadInput(f"{cluster_id} has no SME named {sme_name!r} (see `scout sme list --cluster {cluster_id}`)")
            results = [m.for_sme() for m in matching.matches_for_sme(store, cluster_id, found["id"], limit)]
        else:
            ranked = matching.smes_for_organisation(store, cluster_id, organisation_id, limit)
            if ranked is None:
                raise BadInput(f"no organisation has id {organisation_id!r}")
            results = [m.for_organisation() for m in ranked]
    if as_json:
        emit_json({"matches": results})
        return
    if not results:
        click.echo("no matches")
    for rank, result in enumerate(results, 1):
        other = result.get("organisation") or result.get("sme")
        ident = result.get("organisation_id") or result.get("sme_id")
        click.echo(f"{rank:3}. {other} ({ident})  score {result['score']:.2f}")
        for reason in result["reasons"]:
            click.echo(f"     - {reason}")


@main.group(cls=ScoutGroup, short_help="A partner cluster's shortlists: add organisations or matches, list, export.")
def shortlist() -> None:
    """A partner cluster's shortlists: add organisations or matches, list them, export them."""


@shortlist.command(name="add")
@click.argument("name")
@cluster_option
@click.option("--org", "organisation_id", required=True, metavar="ORGANISATION_ID")
@click.option("--sme", "sme_name", metavar="NAME", help="Add it as a match of this SME (with score and reasons).")
@click.option("--note", default="", help="A note kept with the item.")
@click.option("--owner", default="", help="Who follows it up.")
@with_settings
@needs_store
def shortlist_add(settings: Settings, name: str, cluster_id: str, organisation_id: str, sme_name: str | None,
                  note: str, owner: str) -> None:
    """Add an organisation (or an SME's match with it) to the named shortlist, created when new."""
    from search_app import rosters, shortlists

    with Store.open(settings.database_path) as store:
        try:
            shortlists.known_organisation(store, organisation_id)
            found = rosters.find_sme(store, cluster_id, sme_name) if sme_name else None
            if sme_name and found is None:
                raise BadInput(f"{cluster_id} has no SME named {sme_name!r}")
            target = shortlists.named(store, cluster_id, name, create_missing=True)
            if found:
                shortlists.add_match(store, cluster_id, target["id"], found["id"], organisation_id, note, owner)
            else:
                shortlists.add_organisation(store, cluster_id, target["id"], organisation_id, note, owner)
        except (shortlists.NotFound, shortlists.ShortlistError) as exc:
            raise BadInput(str(exc)) from None
        count = len(store.shortlist_items(cluster_id, target["id"]))
    click.echo(f"added {organisation_id} to shortlist {target['name']!r} of {cluster_id} ({count} items)")


@shortlist.command(name="list")
@cluster_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_settings
@needs_store
def shortlist_list(settings: Settings, cluster_id: str, as_json: bool) -> None:
    """The cluster's shortlists and how many items each holds."""
    from scout import shapes
    from search_app import shortlists

    with Store.open(settings.database_path) as store:
        found = shortlists.all_shortlists(store, cluster_id)
    if as_json:
        emit_json({"shortlists": [shapes.shortlist(entry) for entry in found]})
        return
    if not found:
        click.echo(f"{cluster_id} has no shortlists")
    for entry in found:
        click.echo(f"{entry['id']:4}. {entry['name']}  ({entry['items']} items)")


@shortlist.command(name="export")
@click.argument("name")
@cluster_option
@click.option("--format", "export_format", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, metavar="FILE")
@with_settings
@needs_store
def shortlist_export(settings: Settings, name: str, cluster_id: str, export_format: str, output: Path) -> None:
    """Write the named shortlist as CSV or XLSX, each row with its source URL, crawl date, evidence, TRL and
    match reasons."""
    from search_app import exports, shortlists

    with Store.open(settings.database_path) as store:
        try:
            target = shortlists.named(store, cluster_id, name)
        except (shortlists.NotFound, shortlists.ShortlistError) as exc:
            raise BadInput(str(exc)) from None
        rows = exports.shortlist_rows(store, cluster_id, target["id"])
    try:
        output.write_bytes(exports.write(rows, exports.SHORTLIST_COLUMNS, export_format))
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {len(rows)} rows of {target['name']!r} to {output}")


if __name__ == "__main__":
    main()
