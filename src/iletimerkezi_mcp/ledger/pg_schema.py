"""The PostgreSQL schema: the same tables as the SQLite file, in their own schema, migrated at open.

Every replica migrates at start inside one transaction holding an advisory lock, so two replicas
starting together never both apply a step: the second waits, then finds the version current.
"""

from __future__ import annotations

from typing import Any

from .schema import LedgerOpenError

PG_SCHEMA = "iletimerkezi_ledger"  # our tables never mix with another program's in a shared database
LOCK_CLASS = 0x494C4544  # "ILED": the first key of every advisory lock the ledger takes
MIGRATE_LOCK = 1
WRITE_LOCK = 2  # held by every write transaction: writers serialise like SQLite's BEGIN IMMEDIATE

# PG_MIGRATIONS[n] takes the schema from version n to n + 1. Append; never edit a shipped step.
PG_MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE writes (
            id BIGSERIAL PRIMARY KEY,
            at DOUBLE PRECISION NOT NULL,
            tool TEXT NOT NULL,
            binding TEXT NOT NULL,
            digest TEXT NOT NULL,
            dry_run SMALLINT NOT NULL,        -- 0/1 as in SQLite, so the shared SQL passes the same values
            recipient_count INTEGER NOT NULL,
            recipients_masked TEXT NOT NULL,
            content_key TEXT,
            parts INTEGER NOT NULL,
            credits BIGINT NOT NULL,
            confirmation TEXT NOT NULL,
            outcome TEXT NOT NULL,
            code INTEGER,
            order_id TEXT,
            text TEXT,
            actor TEXT,
            settled_at DOUBLE PRECISION
        )""",
        "CREATE INDEX writes_by_binding ON writes (binding, at)",
        "CREATE INDEX writes_by_at ON writes (at)",
        "CREATE INDEX writes_by_content ON writes (content_key) WHERE content_key IS NOT NULL",
        "CREATE TABLE write_numbers (write_id BIGINT NOT NULL, number_hash TEXT NOT NULL)",
        "CREATE INDEX write_numbers_by_write ON write_numbers (write_id)",
        "CREATE TABLE spent_tokens (mac TEXT PRIMARY KEY, expires DOUBLE PRECISION NOT NULL)",
        "CREATE TABLE secrets (name TEXT PRIMARY KEY, value BYTEA NOT NULL)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    ],
]
PG_SCHEMA_VERSION = len(PG_MIGRATIONS)


def migrate(conn: Any, where: str) -> None:
    """Bring the schema to PG_SCHEMA_VERSION on `conn` (a psycopg connection, autocommit off)."""
    with conn.transaction():
        conn.execute(f"SELECT pg_advisory_xact_lock({LOCK_CLASS}, {MIGRATE_LOCK})")
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA}")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {PG_SCHEMA}.schema_version (version INTEGER NOT NULL)")
        row = conn.execute(f"SELECT max(version) FROM {PG_SCHEMA}.schema_version").fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
        if version > PG_SCHEMA_VERSION:
            raise LedgerOpenError(f"{where} was written by a newer iletimerkezi-mcp (schema version {version}; "
                                  f"this one knows up to {PG_SCHEMA_VERSION})")
        if version == PG_SCHEMA_VERSION:
            return
        conn.execute(f"SET LOCAL search_path TO {PG_SCHEMA}")
        for step in PG_MIGRATIONS[version:]:
            for statement in step:
                conn.execute(statement)
        conn.execute(f"DELETE FROM {PG_SCHEMA}.schema_version")
        conn.execute(f"INSERT INTO {PG_SCHEMA}.schema_version (version) VALUES (%s)", (PG_SCHEMA_VERSION,))


__all__ = ["LOCK_CLASS", "PG_MIGRATIONS", "PG_SCHEMA", "PG_SCHEMA_VERSION", "WRITE_LOCK", "migrate"]
