"""Read-path benchmark (performance.md R1, R2, W1): Cairn's cached reads against a trivial app.

Starts two servers on 127.0.0.1, each a single uvicorn worker with httptools, uvloop and no
access log:

* the baseline, a Starlette app that answers `GET /` (and `POST /`) with a fixed JSON body of
  about the size of a small schema response; this is the ceiling for a cached read;
* Cairn (`cairn serve`) on a temporary data directory holding one registered schema;
* with `--auth`, a second Cairn with `--auth-config` (one user allowed to read every subject),
  for the `*-auth` targets, which send that user's basic-auth credentials.

Then drives both with wrk: for each round, for each concurrency (64 saturating, 8 latency),
the baseline first and each Cairn target after it, every run preceded by a warm-up. Ratios
are taken against the baseline of the same round and reported as medians over the rounds.

With `--variant ARGS`, a second Cairn runs with those extra `serve` options (its own data
directory, the same schema) and is measured right after the first for every open target in
every round; the report then also gives variant req/s / Cairn req/s. For example, what the
metrics cost: `python bench/read_path.py --cairn-args=--no-metrics --variant=--metrics`.

Several processes: `--baseline-workers 2 --cairn-args='--workers 2' --variant='--workers 1'`
compares Cairn with two workers against the baseline with two uvicorn workers, and gives
one worker's throughput as the variant (its ratio to two workers is the scaling).

Run from the repository root: `python bench/read_path.py [--rounds 5] [--duration 10]`;
`python bench/read_path.py --auth --targets ids,ids-auth` compares authenticated reads with
unauthenticated ones (goal: at least 0.80 of their throughput).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

REPO_ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0

BENCH_SUBJECT = "bench-value"
BENCH_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Bench",
        "namespace": "cairn.bench",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "score", "type": "double", "default": 0.0},
        ],
    },
    separators=(",", ":"),
)
#: The baseline answers with a body shaped and sized like Cairn's `GET /schemas/ids/{id}`.
BASELINE_BODY = json.dumps({"schema": BENCH_SCHEMA}, separators=(",", ":")).encode()
#: The user of the secured server (`--auth`).
BENCH_USER, BENCH_PASSWORD = "bench", "bench-password"
AUTHORIZATION = "Basic " + base64.b64encode(f"{BENCH_USER}:{BENCH_PASSWORD}".encode()).decode()


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(slots=True)
class Server:
    """A server process this script started, and where its output goes."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        """Terminate by PID, wait, and kill if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_S)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2.0) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def start_server(name: str, argv: Sequence[str], port: int, log_dir: Path) -> Server:
    """Start a server process and return once `GET /` answers 200."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(argv),
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, process, port, log_path)
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while not _answers(server.url + "/"):
            # The wait is the pause between probes and also notices an early exit.
            try:
                code = process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
            else:
                raise RuntimeError(f"{name} exited with {code}:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer in time:\n{log_path.read_text()}")
    except BaseException:
        server.stop()
        raise
    return server


def cairn_argv(port: int, data_dir: Path, *extra: str) -> list[str]:
    """`cairn serve` on 127.0.0.1:`port` with the embedded log in `data_dir`."""
    return [
        sys.executable,
        "-c",
        "from cli.main import main; main()",
        "--log-level",
        "WARNING",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        *extra,
    ]


def auth_config(directory: Path) -> Path:
    """An auth config with one user allowed to read every subject."""
    from registry.security.passwords import hash_password  # noqa: PLC0415

    path = directory / "auth.toml"
    path.write_text(
        f'[[users]]\nname = "{BENCH_USER}"\npassword_hash = "{hash_password(BENCH_PASSWORD)}"\n'
        f'[[acl]]\nprincipal = "{BENCH_USER}"\nsubjects = "*"\npermissions = ["read", "write"]\n'
    )
    return path


def baseline_argv(port: int, workers: int = 1) -> list[str]:
    """This script in baseline-server mode, with `workers` uvicorn worker processes."""
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve-baseline",
        str(port),
        "--baseline-workers",
        str(workers),
    ]


@contextmanager
def servers(
    log_dir: Path, data_dir: Path, args: argparse.Namespace
) -> Iterator[tuple[Server, Server, Server | None, Server | None]]:
    """The baseline and Cairn (and a secured Cairn with `--auth`, a variant with
    `--variant`), all running; all stopped by PID on the way out."""
    extra = args.cairn_args.split()
    started: list[Server] = []
    try:
        port = free_port()
        argv = baseline_argv(port, args.baseline_workers)
        started.append(start_server("baseline", argv, port, log_dir))
        port = free_port()
        started.append(start_server("cairn", cairn_argv(port, data_dir, *extra), port, log_dir))
        secured = variant = None
        if args.auth:
            port = free_port()
            secure = ("--auth-config", str(auth_config(log_dir)))
            argv = cairn_argv(port, data_dir.with_name("data-auth"), *extra, *secure)
            secured = start_server("cairn-auth", argv, port, log_dir)
            started.append(secured)
        if args.variant is not None:
            port = free_port()
            argv = cairn_argv(port, data_dir.with_name("data-variant"), *args.variant.split())
            variant = start_server("variant", argv, port, log_dir)
            started.append(variant)
        yield started[0], started[1], secured, variant
    finally:
        for server in reversed(started):
            server.stop()


def baseline_app() -> Starlette:
    """The trivial Starlette app (the read ceiling); a factory uvicorn's workers import."""

    async def root(request: Request) -> Response:
        # Read the body on POST so the cost matches a server that parses what it gets.
        await request.body()
        return Response(BASELINE_BODY, media_type="application/json")

    return Starlette(routes=[Route("/", root, methods=["GET", "POST"])])


def serve_baseline(port: int, workers: int) -> None:
    """Run the baseline app with `workers` uvicorn processes until terminated."""
    uvicorn.run(
        # Several workers import the app by name: this module, from this directory.
        "read_path:baseline_app",
        factory=True,
        app_dir=str(Path(__file__).resolve().parent),
        host=HOST,
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        workers=workers,
        server_header=False,
    )


def post_json(url: str, body: object, *, authorization: str | None = None) -> dict[str, object]:
    """POST a JSON body with the registry's content type and decode the answer."""
    headers = {"Content-Type": CONTENT_TYPE}
    if authorization is not None:
        headers["Authorization"] = authorization
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10.0) as response:
        decoded: dict[str, object] = json.loads(response.read())
        return decoded


# --------------------------------------------------------------------------- wrk


@dataclass(frozen=True, slots=True)
class WrkResult:
    """What one wrk run reports."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_responses: int
    socket_errors: int


_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_PERCENTILE = re.compile(r"^\s*(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse_wrk(output: str) -> WrkResult:
    """Parse wrk's text report (run with `--latency`)."""
    percentiles = {int(p): float(v) * _UNITS_MS[u] for p, v, u in _PERCENTILE.findall(output)}
    rps = _RPS.search(output)
    total = _TOTAL.search(output)
    if rps is None or total is None or 99 not in percentiles or 50 not in percentiles:
        raise ValueError(f"unexpected wrk output:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket_errors = _SOCKET.search(output)
    return WrkResult(
        requests_per_s=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=int(total.group(1)),
        bad_responses=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )


def run_wrk(
    url: str, *, connections: int, duration_s: float, threads: int, script: Path | None
) -> WrkResult:
    """One bounded wrk run against `url`."""
    argv = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{duration_s:g}s",
        "--timeout",
        "5s",
        "--latency",
    ]
    if script is not None:
        argv += ["-s", str(script)]
    argv.append(url)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration_s + 30, check=True)
    return parse_wrk(done.stdout)


def lua_post(path: Path, body: str) -> Path:
    """Write a wrk script that POSTs `body` as the registry's JSON content type."""
    path.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [==[{body}]==]\n"
        f'wrk.headers["Content-Type"] = "{CONTENT_TYPE}"\n'
    )
    return path


def lua_authorized(path: Path) -> Path:
    """Write a wrk script that GETs with the bench user's basic-auth credentials."""
    path.write_text(f'wrk.headers["Authorization"] = "{AUTHORIZATION}"\n')
    return path


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True, slots=True)
class Target:
    """One Cairn endpoint to measure, and the goal for its ratio to the baseline."""

    key: str
    label: str
    path: str
    goal: float
    #: For POST targets: the wrk script (the baseline then gets the same POST).
    script: Path | None = None
    #: Sent to the secured server (`--auth`) with credentials; compared with `key` minus
    #: `-auth` on the open server too.
    secured: bool = False


def make_targets(schema_id: int, script_dir: Path) -> dict[str, Target]:
    """Every target this script knows, by key."""
    register_body = json.dumps({"schema": BENCH_SCHEMA})
    post = lua_post(script_dir / "post.lua", register_body)
    subject = f"/subjects/{BENCH_SUBJECT}"
    targets = [
        Target("ids", "GET /schemas/ids/{id}", f"/schemas/ids/{schema_id}", 0.80),
        Target("version", "GET /subjects/{s}/versions/1", f"{subject}/versions/1", 0.70),
        Target("latest", "GET /subjects/{s}/versions/latest", f"{subject}/versions/latest", 0.70),
        Target("subjects", "GET /subjects", "/subjects", 0.70),
        Target("config", "GET /config", "/config", 0.70),
        Target("mode", "GET /mode", "/mode", 0.70),
        Target(
            "reregister",
            "POST /subjects/{s}/versions (existing)",
            f"{subject}/versions",
            0.50,
            post,
        ),
        Target("lookup", "POST /subjects/{s} (lookup)", subject, 0.50, post),
        # Authenticated reads must keep 0.80 of the open ones (0.80 x 0.80 of the baseline).
        Target(
            "ids-auth",
            "GET /schemas/ids/{id} (basic auth)",
            f"/schemas/ids/{schema_id}",
            0.64,
            lua_authorized(script_dir / "auth.lua"),
            secured=True,
        ),
    ]
    return {t.key: t for t in targets}


DEFAULT_TARGETS = "ids,latest,subjects,config"


# --------------------------------------------------------------------------- running


@dataclass(slots=True)
class Samples:
    """Per-round measurements of one (target, concurrency) cell."""

    baseline: list[WrkResult]
    cairn: list[WrkResult]
    variant: list[WrkResult] = field(default_factory=list)


def measure(
    url: str, *, connections: int, args: argparse.Namespace, script: Path | None
) -> WrkResult:
    """Warm up, then take one measured run."""
    if args.warmup > 0:
        run_wrk(
            url,
            connections=connections,
            duration_s=args.warmup,
            threads=args.threads,
            script=script,
        )
    return run_wrk(
        url, connections=connections, duration_s=args.duration, threads=args.threads, script=script
    )


def median(values: Sequence[float]) -> float:
    """Median of a non-empty sequence."""
    return float(statistics.median(values))


def report(
    cells: dict[tuple[str, int], Samples], targets: Sequence[Target], args: argparse.Namespace
) -> bool:
    """Print the table of medians and return whether every goal was met."""
    header = (
        f"{'target':<40} {'c':>3} {'base req/s':>11} {'cairn req/s':>12} {'ratio':>6} "
        f"{'goal':>6} {'base p99':>9} {'cairn p99':>10} {'p99 x':>6}  verdict"
    )
    print(header)
    print("-" * len(header))
    all_met = True
    for connections in args.connections:
        for target in targets:
            cell = cells[(target.key, connections)]
            ratios = [
                c.requests_per_s / b.requests_per_s
                for b, c in zip(cell.baseline, cell.cairn, strict=True)
            ]
            p99_ratios = [
                c.p99_ms / b.p99_ms for b, c in zip(cell.baseline, cell.cairn, strict=True)
            ]
            base_rps = median([r.requests_per_s for r in cell.baseline])
            cairn_rps = median([r.requests_per_s for r in cell.cairn])
            base_p99 = median([r.p99_ms for r in cell.baseline])
            cairn_p99 = median([r.p99_ms for r in cell.cairn])
            ratio, p99_ratio = median(ratios), median(p99_ratios)
            notes: list[str] = []
            if connections >= 64:
                # R1 bounds the tail of GET /schemas/ids/{id} only; the others (and W1)
                # are throughput goals.
                met = ratio >= target.goal and (target.key != "ids" or p99_ratio <= 1.5)
                goal = f"{target.goal:.2f}"
            else:
                met = cairn_p99 <= 2.0
                goal = "p99<=2"
            bad = sum(r.bad_responses + r.socket_errors for r in cell.cairn + cell.baseline)
            if bad:
                met = False
                notes.append(f"{bad} non-2xx/socket errors")
            all_met &= met
            verdict = ("ok" if met else "MISS") + (f" ({'; '.join(notes)})" if notes else "")
            print(
                f"{target.label:<40} {connections:>3} {base_rps:>11.0f} {cairn_rps:>12.0f} "
                f"{ratio:>6.2f} {goal:>6} {base_p99:>7.2f}ms {cairn_p99:>8.2f}ms "
                f"{p99_ratio:>6.2f}  {verdict}"
            )
    for connections in args.connections:
        for target in targets:
            open_key = target.key.removesuffix("-auth")
            if not target.secured or (open_key, connections) not in cells:
                continue
            secured, opened = cells[(target.key, connections)], cells[(open_key, connections)]
            auth_ratio = median(
                [
                    s.requests_per_s / o.requests_per_s
                    for s, o in zip(secured.cairn, opened.cairn, strict=True)
                ]
            )
            met = auth_ratio >= 0.80
            all_met &= met
            print(
                f"{'authenticated / open ' + open_key:<40} {connections:>3} "
                f"{median([o.requests_per_s for o in opened.cairn]):>11.0f} "
                f"{median([s.requests_per_s for s in secured.cairn]):>12.0f} "
                f"{auth_ratio:>6.2f} {'0.80':>6}  {'ok' if met else 'MISS'}"
            )
    if any(cell.variant for cell in cells.values()):
        print()
        print(f"variant ({args.variant}) against Cairn ({args.cairn_args or 'defaults'}):")
        for (key, connections), cell in cells.items():
            if not cell.variant:
                continue
            ratio = median(
                [
                    v.requests_per_s / c.requests_per_s
                    for c, v in zip(cell.cairn, cell.variant, strict=True)
                ]
            )
            print(
                f"  {key:<40} {connections:>3} "
                f"{median([r.requests_per_s for r in cell.variant]):>9.0f} req/s  "
                f"variant/cairn {ratio:.3f}"
            )
    print()
    print(
        "ratio = median over rounds of Cairn req/s / baseline req/s in the same round; "
        "goals at c>=64: ratio >= goal (R1, W1), and p99 <= 1.5x baseline for ids (R1); "
        "at c=8: p99 <= 2 ms (R2)."
    )
    return all_met


def run(args: argparse.Namespace) -> int:
    """Start both servers, measure, print the table, and stop everything."""
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"wrk -t{args.threads}, {args.rounds} rounds x {args.duration:g}s "
        f"(+{args.warmup:g}s warm-up), connections {args.connections}"
    )
    with tempfile.TemporaryDirectory(prefix="cairn-bench-") as tmp:
        tmp_dir = Path(tmp)
        with servers(tmp_dir, tmp_dir / "data", args) as (baseline, cairn, secured, variant):
            registered = post_json(
                f"{cairn.url}/subjects/{BENCH_SUBJECT}/versions", {"schema": BENCH_SCHEMA}
            )
            if variant is not None:
                post_json(
                    f"{variant.url}/subjects/{BENCH_SUBJECT}/versions", {"schema": BENCH_SCHEMA}
                )
            schema_id = registered["id"]
            assert isinstance(schema_id, int), registered
            if secured is not None:
                again = post_json(
                    f"{secured.url}/subjects/{BENCH_SUBJECT}/versions",
                    {"schema": BENCH_SCHEMA},
                    authorization=AUTHORIZATION,
                )
                assert again["id"] == schema_id, again
            known = make_targets(schema_id, tmp_dir)
            unknown = [k for k in args.targets if k not in known]
            if unknown:
                print(f"unknown targets {unknown}; known: {', '.join(known)}", file=sys.stderr)
                return 2
            targets = [known[k] for k in args.targets]
            if secured is None and any(t.secured for t in targets):
                print("the *-auth targets need --auth", file=sys.stderr)
                return 2
            cells = {(t.key, c): Samples([], []) for t in targets for c in args.connections}
            for round_no in range(1, args.rounds + 1):
                for connections in args.connections:
                    baseline_get = measure(
                        baseline.url + "/", connections=connections, args=args, script=None
                    )
                    baseline_post: WrkResult | None = None
                    for target in targets:
                        posts = target.script is not None and not target.secured
                        if posts and baseline_post is None:
                            baseline_post = measure(
                                baseline.url + "/",
                                connections=connections,
                                args=args,
                                script=target.script,
                            )
                        base = baseline_post if posts else baseline_get
                        assert base is not None
                        server = secured if target.secured and secured is not None else cairn
                        cell = cells[(target.key, connections)]
                        # Against the variant, the two go first in turn, so that whatever
                        # drifts within a round (load, heat) favours neither.
                        against = variant is not None and not target.secured
                        variant_first = against and round_no % 2 == 0

                        def measured(
                            url: str, c: int = connections, script: Path | None = target.script
                        ) -> WrkResult:
                            return measure(url, connections=c, args=args, script=script)

                        if variant_first and variant is not None:
                            cell.variant.append(measured(variant.url + target.path))
                        result = measured(server.url + target.path)
                        if against and not variant_first and variant is not None:
                            cell.variant.append(measured(variant.url + target.path))
                        cell.baseline.append(base)
                        cell.cairn.append(result)
                        print(
                            f"  round {round_no} c={connections:<3} {target.label:<40} "
                            f"{result.requests_per_s:>9.0f} req/s "
                            f"(baseline {base.requests_per_s:.0f}), p99 {result.p99_ms:.2f} ms",
                            flush=True,
                        )
    print()
    met = report(cells, targets, args)
    return 0 if met or not args.check else 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--connections",
        type=lambda s: [int(c) for c in s.split(",")],
        default=[64, 8],
        help="comma-separated wrk connection counts (default 64,8)",
    )
    parser.add_argument(
        "--targets",
        type=lambda s: [t.strip() for t in s.split(",") if t.strip()],
        default=DEFAULT_TARGETS.split(","),
        help=f"comma-separated: ids,version,latest,subjects,config,mode,reregister,lookup,"
        f"ids-auth (with --auth) "
        f"(default {DEFAULT_TARGETS})",
    )
    parser.add_argument(
        "--cairn-args", default="", help="extra `cairn serve` options for the measured Cairn"
    )
    parser.add_argument(
        "--variant",
        metavar="ARGS",
        help="also measure a second Cairn with these extra `serve` options, against the first",
    )
    parser.add_argument(
        "--auth",
        action="store_true",
        help="also start a Cairn with --auth-config, for the *-auth targets",
    )
    parser.add_argument(
        "--baseline-workers",
        type=int,
        default=1,
        help="uvicorn worker processes of the baseline (compare with --cairn-args='--workers N')",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    parser.add_argument("--serve-baseline", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--rounds must be >= 1, --duration > 0 and --warmup >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if args.serve_baseline is not None:
        serve_baseline(args.serve_baseline, args.baseline_workers)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
