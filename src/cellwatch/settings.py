"""Settings: declared once, typed, read from the environment (``CELLWATCH_*``) or the CLI.

There is no module-level settings instance: the CLI and the API build one with
:func:`load_settings` and pass it down.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from cellwatch.errors import ConfigError


class Settings(BaseSettings):
    """Everything cellwatch can be configured with."""

    model_config = SettingsConfigDict(env_prefix="CELLWATCH_", extra="ignore")

    home: Path = Field(
        default=Path("cellwatch-data"),
        description="Folder holding the SQLite store, the event lake and generated files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the relational store; default a SQLite file in home.",
    )
    principal: str = Field(
        default="system",
        description="User name the CLI acts as; 'system' is the local administrator.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key signing API tokens; default a random key kept in home/secret.key.",
    )
    audit_key: SecretStr | None = Field(
        default=None,
        description="Key of the audit chain's HMACs and checkpoint signatures; default a "
        "random key kept in home/audit.key. Keep it from whoever administers the database.",
    )
    audit_checkpoint_dir: Path | None = Field(
        default=None,
        description="Folder of the audit chain's signed checkpoints, outside the database; "
        "default home/audit-checkpoints. Make it append-only (chattr +a).",
    )
    token_ttl_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Sign-in protection and web sessions (issue 17).
    signin_max_failures: int = Field(
        default=10, ge=1, le=1000,
        description="Wrong passwords for one user name, within the lockout period, that lock "
        "it out (the right password too) until the period after them has passed.",
    )
    signin_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    signin_address_failures_per_minute: int = Field(
        default=20, ge=1, le=10_000,
        description="Failed sign-ins one client address may make per minute before it is "
        "refused (429) without a password check.",
    )
    session_idle_minutes: int = Field(
        default=60, ge=1, le=24 * 60,
        description="A web session unused this long ends on the server.",
    )
    session_absolute_hours: int = Field(
        default=10, ge=1, le=7 * 24,
        description="A web session ends this long after sign-in, however active.",
    )
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    tro_compliance_working_days: int = Field(default=5, ge=1)
    environment: str = Field(default="development", pattern="^(development|test|production)$")
    # Alerts and victim protection (issue 7).
    alert_webhook_url: str | None = Field(
        default=None, description="URL alerts are POSTed to, signed with alert_webhook_secret."
    )
    alert_webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key signing webhook bodies (required with a URL)."
    )
    smtp_host: str | None = Field(default=None, description="SMTP relay for alert emails.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = Field(default="cellwatch@localhost", description="Sender of alert emails.")
    alert_email_to: str | None = Field(
        default=None, description="Comma-separated addresses alert emails go to."
    )
    delivery_max_attempts: int = Field(default=5, ge=1, le=100)
    parole_window_weeks: int = Field(default=12, ge=1, le=104)
    parole_probability_threshold: float = Field(default=0.8, ge=0.0, le=1.0)
    parole_probability_floor: float = Field(
        default=0.5, ge=0.0, le=1.0,
        description="Attributions below this stay out of parole summaries and their alerts.",
    )
    referral_acknowledge_days: int = Field(default=5, ge=1, le=90)
    # Analytic engine (cellwatch.lake.engine_choice.engine_for).
    engine: str = Field(
        default="duckdb", pattern="^(duckdb|spark)$",
        description="Engine running the lake analytics: duckdb (embedded) or spark (pyspark).",
    )
    spark_master: str = Field(
        default="local[*]",
        description="Spark master URL when engine is spark (local[*] runs Spark in-process).",
    )
    spark_driver_memory: str = Field(
        default="2g", pattern=r"^[0-9]+[kmgt]$",
        description="Heap of the Spark driver JVM started for local mode (e.g. 2g, 8g).",
    )

    # A nightly run keeps the last fit's estimate (cellwatch.attribution.increment); past
    # this age it fits again, so the weights follow the estate without anyone asking.
    attribution_refit_days: int = Field(
        default=7, ge=0, le=366,
        description="Days after which `attribute` refits EM (a rebuild) on its own; 0: only "
                    "on --rebuild.",
    )

    # DuckDB spills to the lake's disk beyond these (cellwatch.lake.parquet_lake.Lake).
    lake_memory_limit: str = Field(
        default="1GB", pattern=r"^[0-9]+(\.[0-9]+)?\s*(MB|GB|MiB|GiB)$",
        description="DuckDB memory limit for ingest and lake queries (e.g. 1GB).",
    )
    analytics_memory_limit: str = Field(
        default="3GB", pattern=r"^[0-9]+(\.[0-9]+)?\s*(MB|GB|MiB|GiB)$",
        description="DuckDB memory limit for attribution and other large analytics.",
    )

    @property
    def lake_dir(self) -> Path:
        """Root of the Parquet event lake."""
        return self.home / "lake"

    @property
    def reports_dir(self) -> Path:
        """Where generated reports (PDF, HTML, PNG) are written."""
        return self.home / "reports"

    @property
    def store_url(self) -> str:
        """The relational store's URL, defaulting to SQLite in home."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'cellwatch.db').resolve()}"

    @property
    def audit_checkpoints(self) -> Path:
        """Where the audit chain's signed checkpoints are appended."""
        return self.audit_checkpoint_dir or self.home / "audit-checkpoints"

    def audit_secret(self) -> bytes:
        """The audit chain's key; made once per home (owner-only) unless set, as in production."""
        if self.audit_key is not None:
            return self.audit_key.get_secret_value().encode()
        if self.environment == "production":
            raise ConfigError("CELLWATCH_AUDIT_KEY must be set in production")
        return _home_key(self.home / "audit.key").encode()

    def signing_key(self) -> str:
        """The token signing key; made once per home and kept readable only by its owner."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.environment == "production":
            raise ConfigError("CELLWATCH_SECRET_KEY must be set in production")
        return _home_key(self.home / "secret.key")


def _home_key(path: Path) -> str:
    """A random key kept in ``path`` (made on first use, readable by its owner alone)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with CLI overrides on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc
