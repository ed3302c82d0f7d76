"""Throw-away databases for tests and benchmarks: a SQLite file, or a PostgreSQL
database of its own (created from a template, dropped afterwards)."""

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from models.db import make_engine, migrate

POSTGRES_ENV = "SODIEM_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


class PostgresFactory:
    """Creates databases named sodiem_t_<run>_<n> on the server in SODIEM_TEST_POSTGRES_URL."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.prefix = f"sodiem_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        self.counter = 0

    def create(self, template: str | None = None) -> tuple[str, Engine]:
        self.counter += 1
        name = f"{self.prefix}_{self.counter}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        url = self.admin_url.set(database=name).render_as_string(hide_password=False)
        return name, make_engine(url)

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in list(self.created):
            self.drop(name)
        self.admin.dispose()


class SqliteFactory:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.counter = 0

    def create(self, template: Path | None = None) -> tuple[Path, Engine]:
        self.counter += 1
        path = self.folder / f"db_{self.counter}.sqlite"
        if template is not None:
            shutil.copyfile(template, path)
        return path, make_engine(f"sqlite:///{path}")


def seeded_template(engine: Engine, seed: Callable[[Engine], object]) -> object:
    """Migrate an empty database, fill it, and release its connections."""
    migrate(engine)
    result = seed(engine)
    engine.dispose()
    return result
