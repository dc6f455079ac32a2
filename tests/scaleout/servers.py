"""Real servers for the scale-out suite and bench/bench_scaleout.py: PostgreSQL (Debian's `postgresql`
package: initdb into a temp dir, started on 127.0.0.1 on a free port) and a Chroma server (`chroma run`
from the installed chromadb package). Each is stopped and its directory removed by the context manager.

A missing binary skips the suite on a developer machine and FAILS it when ``CI=true`` (so CI never
passes by not running it)."""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import stop_process

PG_TOOLS = ("initdb", "pg_ctl", "postgres")


class MissingServer(RuntimeError):
    """A binary the scale-out mode needs is not installed (`make setup-test` installs it as root)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_pg_bin() -> Path:
    """The folder holding initdb, pg_ctl and postgres: $AMIABLE_PG_BIN, then PATH, then Debian's
    /usr/lib/postgresql/<version>/bin (the newest version)."""
    if os.environ.get("AMIABLE_PG_BIN"):  # explicit: used as given, no fallback
        folder = Path(os.environ["AMIABLE_PG_BIN"])
        if all(os.access(folder / tool, os.X_OK) for tool in PG_TOOLS):
            return folder
        raise MissingServer(f"AMIABLE_PG_BIN={folder} does not hold {', '.join(PG_TOOLS)}")
    candidates: list[Path] = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                      if Path(p).parent.name.isdigit() else 0, reverse=True)
    candidates += [Path(p) for p in versions]
    for folder in candidates:
        if all(os.access(folder / tool, os.X_OK) for tool in PG_TOOLS):
            return folder
    raise MissingServer("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in $AMIABLE_PG_BIN, "
                        "PATH or /usr/lib/postgresql/*/bin: install Debian's 'postgresql' package "
                        "(make setup-test does it as root)")


def find_chroma() -> Path:
    exe = Path(sys.executable).parent / "chroma"
    if os.access(exe, os.X_OK):
        return exe
    found = shutil.which("chroma")
    if found:
        return Path(found)
    raise MissingServer("the `chroma` command of the chromadb package is not installed")


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    bin: Path
    datadir: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _run_as() -> dict[str, object]:
    """PostgreSQL refuses to run as root: as root (CI), run its tools as the `postgres` system user."""
    if os.geteuid() != 0:
        return {}
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        raise MissingServer("running as root and there is no 'postgres' user to run the server as "
                            "(Debian's 'postgresql' package creates it)") from None
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


@contextmanager
def postgres_server(*, fsync: bool = False, max_connections: int = 200) -> Iterator[Postgres]:
    """A throw-away PostgreSQL cluster on 127.0.0.1:<free port>, trust auth for user `amiable`."""
    pg_bin = find_pg_bin()
    if importlib.util.find_spec("psycopg") is None:
        raise MissingServer("psycopg is not installed: pip install 'amiable[postgres]' (the dev extra has it)")
    as_user = _run_as()
    # as root, directly under /tmp: the postgres user cannot reach into root's private temp folders
    datadir = Path(tempfile.mkdtemp(prefix="amiable-pg-", dir="/tmp" if as_user else None))
    if as_user:
        os.chown(datadir, int(as_user["user"]), int(as_user["group"]))  # type: ignore[call-overload]
    port = free_port()
    log = datadir / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    try:
        subprocess.run([str(pg_bin / "initdb"), "-D", str(datadir / "data"), "-U", "amiable", "-A", "trust",
                        "-E", "UTF8", "--no-locale", "--no-sync"], check=True, capture_output=True, env=env,
                       timeout=180, **as_user)  # type: ignore[call-overload]
        opts = (f"-h 127.0.0.1 -p {port} -k {datadir} -c max_connections={max_connections} "
                f"-c fsync={'on' if fsync else 'off'} -c synchronous_commit={'on' if fsync else 'off'}")
        subprocess.run([str(pg_bin / "pg_ctl"), "-D", str(datadir / "data"), "-l", str(log), "-o", opts, "-w",
                        "-t", "120", "start"], check=True, capture_output=True, env=env, timeout=180,
                       **as_user)  # type: ignore[call-overload]
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace")[-1500:]
        tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
        shutil.rmtree(datadir, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start ({exc.cmd[0]}): {detail}\n{tail}") from None
    try:
        yield Postgres(host="127.0.0.1", port=port, user="amiable", bin=pg_bin, datadir=datadir)
    finally:
        subprocess.run([str(pg_bin / "pg_ctl"), "-D", str(datadir / "data"), "-m", "fast", "-w", "stop"],
                       check=False, capture_output=True, env=env, timeout=120, **as_user)  # type: ignore[call-overload]
        shutil.rmtree(datadir, ignore_errors=True)


@dataclass
class Chroma:
    host: str
    port: int
    path: Path


@contextmanager
def chroma_server() -> Iterator[Chroma]:
    """`chroma run` on 127.0.0.1:<free port> over a temp directory, stopped and removed at the end."""
    exe = find_chroma()
    path = Path(tempfile.mkdtemp(prefix="amiable-chroma-"))
    port = free_port()
    log = (path / "server.log").open("wb")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "CHROMA_TELEMETRY": "False"}
    proc = subprocess.Popen([str(exe), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port",
                             str(port)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=path)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited ({proc.returncode}): "
                                   f"{(path / 'server.log').read_text(errors='replace')[-1500:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chroma run did not answer in 120 s")
            time.sleep(0.3)
        yield Chroma(host="127.0.0.1", port=port, path=path)
    finally:
        stop_process(proc, grace_s=20, kill_wait_s=20)
        log.close()
        shutil.rmtree(path, ignore_errors=True)
