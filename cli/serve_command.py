"""`cairn serve`: run the registry on the embedded file log or on a Kafka topic."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from cli.param_types import LOG_LEVEL, CompatibilityLevelParam, KeyValueParam, WorkersParam
from cli.serve_config import ENV_PREFIX, load_config_file, render_effective
from cli.serve_workers import WorkerOptions, serve_with_workers
from compat.types import CompatibilityLevel
from registry.cluster import (
    DEFAULT_SESSION_TIMEOUT_MS,
    ElectionSettings,
    KafkaLeaderElection,
)
from registry.log.errors import LogError
from registry.log.file import FileLog
from registry.log.kafka import DEFAULT_TOPIC, KafkaLog, KafkaLogSettings
from registry.log_output import LOG_FORMATS, configure_logging
from registry.security.config import AuthConfigSource
from registry.security.errors import AuthConfigError
from registry.security.settings import SecuritySettings
from registry.server import (
    ReplayStatus,
    ServedRegistry,
    build_app,
    build_cluster_app,
    secure,
    starting_app,
    with_ui,
)
from registry.server import serve as run_server
from registry.settings import Settings
from registry.telemetry import Telemetry

#: How often a node on Kafka polls the topic for records other nodes wrote.
KAFKA_FOLLOW_EVERY_S = 0.2
#: How long a starting node on Kafka waits for a leader to be elected before serving anyway.
LEADER_WAIT_S = 30.0

logger = logging.getLogger(__name__)


@click.command(
    context_settings={"auto_envvar_prefix": ENV_PREFIX},
    epilog="""\b
Every option can also come from the environment (CAIRN_<OPTION>, e.g. CAIRN_DATA_DIR) or from
a TOML file given with --config (data-dir = "/var/lib/cairn"); a flag overrides the
environment, which overrides the file.

\b
Examples:
  cairn serve
  cairn serve --config /etc/cairn/cairn.toml --print-config
  cairn serve --host 0.0.0.0 --port 8081 --data-dir /var/lib/cairn
  cairn serve --workers auto
  cairn serve --kafka-bootstrap-servers kafka-1:9092,kafka-2:9092 --advertised-url http://reg-1:8081
  cairn serve --tls-cert server.pem --tls-key server.key --auth-config auth.toml
""",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8081,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port to listen on (0: any free port).",
)
@click.option(
    "--data-dir",
    default=Path("cairn-data"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the embedded log (created if missing).",
)
@click.option(
    "--compatibility",
    default="BACKWARD",
    show_default=True,
    type=CompatibilityLevelParam(),
    help="Compatibility level when none is configured.",
)
@click.option(
    "--incompatible-error-code",
    default=409,
    show_default=True,
    type=click.Choice(["409", "40901"]),
    help="error_code for incompatible schemas (409 as Confluent <= 8.1, 40901 as 8.2+).",
)
@click.option(
    "--max-request-bytes",
    default=8 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body accepted; larger ones get 413.",
)
@click.option(
    "--workers",
    default="1",
    show_default=True,
    type=WorkersParam(),
    help="Server processes on the port, over one --data-dir (one writes, the others follow "
    "the log and hand it their writes); auto: one per core.",
)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log one line per request.",
)
@click.option(
    "--kafka-bootstrap-servers",
    metavar="HOST:PORT[,...]",
    help="Keep the registry in a Kafka topic instead of --data-dir.",
)
@click.option("--kafka-topic", default=DEFAULT_TOPIC, show_default=True, help="The registry topic.")
@click.option(
    "--kafka-replication-factor",
    type=click.IntRange(1),
    help="Replicas of the topic if it is created  [default: min(3, brokers)].",
)
@click.option(
    "--kafka-config",
    "kafka_config",
    multiple=True,
    type=KeyValueParam(),
    metavar="KEY=VALUE",
    help="A librdkafka setting for every Kafka client (SASL, TLS, ...); repeatable.",
)
@click.option(
    "--kafka-group-id",
    help="Consumer group of the leader election  [default: cairn-<topic>].",
)
@click.option(
    "--advertised-url",
    help="This node's URL as other nodes forward writes to it  [default: http://HOST:PORT].",
)
@click.option(
    "--leader-eligibility/--no-leader-eligibility",
    default=True,
    show_default=True,
    help="Whether this node may become the leader (the one that writes).",
)
@click.option(
    "--kafka-session-timeout-ms",
    default=DEFAULT_SESSION_TIMEOUT_MS,
    show_default=True,
    type=click.IntRange(500),
    help="How long a silent leader keeps the role: the failover time after a crash. "
    "The broker's group.min.session.timeout.ms (6000 by default) must allow it.",
)
@click.option(
    "--kafka-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(3.0),
    help="Seconds a write (or a stalled read) may wait for Kafka before failing.",
)
# --- security options (TLS, mutual TLS, authentication and ACLs) ---------------------------
@click.option(
    "--tls-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Server certificate (PEM, with its chain): serve HTTPS only.",
)
@click.option(
    "--tls-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Private key of --tls-cert (PEM).",
)
@click.option(
    "--tls-client-ca",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CA bundle for mutual TLS: clients must present a certificate it signed; "
    "its CN is the principal cert:CN.",
)
@click.option(
    "--auth-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file of users, bearer-token keys and ACLs; requests must then authenticate. "
    "Reloaded on SIGHUP.",
)
# --- end of security options -------------------------------------------------------------
@click.option(
    "--log-level",
    type=LOG_LEVEL,
    help="Logging level of the server  [default: the level given to `cairn`, INFO].",
)
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="text",
    show_default=True,
    help="text, or json: one JSON object per line (time, level, logger, message, request_id).",
)
@click.option(
    "--metrics/--no-metrics",
    default=True,
    show_default=True,
    help="Serve GET /metrics (Prometheus text format).",
)
@click.option(
    "--ui/--no-ui",
    default=True,
    show_default=True,
    help="Serve the web UI at /ui (read-only unless --auth-config grants writes).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    is_eager=True,
    expose_value=False,
    callback=load_config_file,
    help="A TOML file of these options (by long name); flags and CAIRN_* variables win.",
)
@click.option(
    "--print-config",
    is_flag=True,
    help="Print the effective settings (secrets masked) as TOML, with where each came from, "
    "and exit.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    print_config: bool,
    host: str,
    port: int,
    data_dir: Path,
    compatibility: CompatibilityLevel,
    incompatible_error_code: str,
    max_request_bytes: int,
    workers: int,
    access_log: bool,
    kafka_bootstrap_servers: str | None,
    kafka_topic: str,
    kafka_replication_factor: int | None,
    kafka_config: tuple[tuple[str, str], ...],
    kafka_group_id: str | None,
    advertised_url: str | None,
    leader_eligibility: bool,
    kafka_session_timeout_ms: int,
    kafka_timeout: float,
    metrics: bool,
    ui: bool,
    log_level: str | None,
    log_format: str,
    tls_cert: Path | None,
    tls_key: Path | None,
    tls_client_ca: Path | None,
    auth_config: Path | None,
) -> None:
    """Run the registry on an embedded, crash-safe local log, or on a Kafka topic."""
    if print_config:
        click.echo(render_effective(ctx), nl=False)
        return
    configure_logging(log_level or logging.getLevelName(logging.getLogger().level), log_format)
    security, auth = security_options(tls_cert, tls_key, tls_client_ca, auth_config)
    telemetry = Telemetry() if metrics else None
    settings = Settings(
        host=host,
        port=port,
        data_dir=data_dir,
        default_compatibility=compatibility,
        incompatible_error_code=int(incompatible_error_code),
        max_request_bytes=max_request_bytes,
        access_log=access_log,
        workers=workers,
    )
    if kafka_bootstrap_servers and workers > 1:
        raise click.UsageError(
            "--workers is for the embedded log; on Kafka, run more nodes instead"
        )
    if workers > 1:
        options = WorkerOptions(
            settings,
            security,
            metrics=metrics,
            log_level=logging.getLevelName(logging.getLogger().level),
            log_format=log_format,
            ui=ui,
        )
        serve_with_workers(options, workers)
        return
    if kafka_bootstrap_servers:
        group_id = kafka_group_id or f"cairn-{kafka_topic}"
        log_settings = KafkaLogSettings(
            kafka_bootstrap_servers,
            topic=kafka_topic,
            replication_factor=kafka_replication_factor,
            client_config=dict(kafka_config),
            timeout_s=kafka_timeout,
            # One id for the whole cluster: the leader's claim fences every earlier leader.
            transactional_id=f"{group_id}-writer",
        )
        node = ElectionSettings(
            kafka_bootstrap_servers,
            topic=kafka_topic,
            group_id=group_id,
            advertised_url=advertised_url
            or f"{'https' if security.tls else 'http'}://{host}:{port}",
            eligible=leader_eligibility,
            client_config=dict(kafka_config),
            session_timeout_ms=kafka_session_timeout_ms,
        )
        serve_on_kafka(settings, log_settings, node, telemetry, security, auth, ui)
        return
    try:
        log = (
            FileLog.open(
                data_dir,
                fsync=telemetry.timed_fsync(os.fsync),
                on_group_commit=telemetry.group_committed,
            )
            if telemetry
            else FileLog.open(data_dir)
        )
    except LogError as exc:
        raise click.ClickException(str(exc)) from exc

    def build(status: ReplayStatus) -> ServedRegistry:
        app = build_app(log, settings, status=status, telemetry=telemetry)
        return secure(with_ui(app, auth) if ui else app, auth)

    app = starting_app(log, build, telemetry=telemetry)
    run_server(app, settings, security, on_reload=None if auth is None else auth.reload)


def security_options(
    tls_cert: Path | None,
    tls_key: Path | None,
    tls_client_ca: Path | None,
    auth_config: Path | None,
) -> tuple[SecuritySettings, AuthConfigSource | None]:
    """The security settings and the loaded auth config; a usage error when they are wrong."""
    try:
        security = SecuritySettings(
            tls_cert=tls_cert, tls_key=tls_key, tls_client_ca=tls_client_ca, auth_config=auth_config
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        auth = None if auth_config is None else AuthConfigSource(auth_config)
    except AuthConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    return security, auth


def serve_on_kafka(
    settings: Settings,
    log_settings: KafkaLogSettings,
    node: ElectionSettings,
    telemetry: Telemetry | None,
    security: SecuritySettings,
    auth: AuthConfigSource | None,
    ui: bool = True,
) -> None:
    """Run one node of a cluster sharing a Kafka topic: replay, join the election, serve.

    With `telemetry`, the node serves its metrics; with `ui`, the web UI."""
    try:
        log = KafkaLog.open(
            log_settings, on_group_commit=telemetry.group_committed if telemetry else None
        )
        election = KafkaLeaderElection(node, on_elected=log.claim_writes)
    except LogError as exc:
        raise click.ClickException(str(exc)) from exc

    def build(status: ReplayStatus) -> ServedRegistry:
        # Join the election only once replayed: a leader must hold the whole state.
        app = build_cluster_app(
            log,
            settings,
            election,
            follow_every_s=KAFKA_FOLLOW_EVERY_S,
            # The leader may take the Kafka timeout (plus its flush grace) to answer a write.
            forward_timeout_s=2 * log_settings.timeout_s + 5.0,
            status=status,
            telemetry=telemetry,
            auth=auth,
            ui=ui,
        )
        election.start()
        leader = election.wait_for_leader(LEADER_WAIT_S)
        if leader is None:
            logger.warning(
                "no leader after %.0f s; writes fail until one is elected", LEADER_WAIT_S
            )
        else:
            logger.info("the leader is %s", leader)
        return app

    try:
        run_server(
            starting_app(log, build, telemetry=telemetry, leadership=election),
            settings,
            security,
            on_reload=None if auth is None else auth.reload,
        )
    finally:
        election.stop()
