"""Faults during ``events release``: killed processes, concurrent runs, write failures.

After every fault the previous release and ``releases.json`` must still be valid (``events validate`` on
the output directory), nothing half-written may be visible, and a plain rerun must succeed.

Killed runs are real processes (``python -c HARNESS release …`` runs the real CLI) sent SIGKILL from this
test. To kill at a named moment rather than at a lucky time, the harness wraps a few OS calls in the child
(``os.open`` of the lock, ``io.open`` of release files, ``os.fsync`` of the staging directory,
``os.replace`` onto the version directory or onto ``releases.json``, the extractor) and, on reaching the
named point, writes a marker file and waits; the test then sends SIGKILL. Nothing in ``events`` knows about
the harness.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from events.cli import app
from events.release import LOCK_NAME, ReleaseError, build_release
from events.validate import validate_path

from .conftest import REPO, SEEDS

runner = CliRunner()
HOSTILE_ARTICLES = Path(__file__).parent / "fixtures" / "hostile" / "articles"
PREVIOUS = "1.0.0"  # conftest's seeds_release
NEW = "2.0.0"
ARRIVAL_TIMEOUT = 120.0

HARNESS = r"""
import io, os, sys, time
from pathlib import Path

POINT = os.environ["FAULT_POINT"]
ARRIVED = Path(os.environ["FAULT_ARRIVED"])
GO = Path(os.environ["FAULT_GO"])
VERSION = os.environ["FAULT_VERSION"]
LOCK = os.environ["FAULT_LOCK"]


def arrive(name):
    if name != POINT or ARRIVED.exists():
        return
    ARRIVED.write_text(str(os.getpid()))
    while not GO.exists():
        time.sleep(0.01)


def fd_path(fd):
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


real_os_open, real_replace, real_rename, real_fsync, real_io_open = os.open, os.replace, os.rename, os.fsync, io.open
writes = [0]


def os_open(path, flags, *args, **kwargs):
    fd = real_os_open(path, flags, *args, **kwargs)
    if flags & os.O_CREAT and os.path.basename(os.fsdecode(path)) == LOCK:
        arrive("lock-created")
    return fd


def io_open(file, mode="r", *args, **kwargs):
    if isinstance(file, (str, bytes, os.PathLike)) and any(m in mode for m in "wax"):
        path = os.fsdecode(file)
        if "/.tmp-" in path and "/.shards" not in path:
            writes[0] += 1
            if writes[0] == 2:
                arrive("mid-write")
    return real_io_open(file, mode, *args, **kwargs)


def moving_onto(dst):
    name = os.path.basename(os.fsdecode(dst))
    if name == "releases.json":
        arrive("before-index")
    elif name == VERSION:
        arrive("before-publish")


def replace(src, dst, *args, **kwargs):
    moving_onto(dst)
    return real_replace(src, dst, *args, **kwargs)


def rename(src, dst, *args, **kwargs):
    moving_onto(dst)
    return real_rename(src, dst, *args, **kwargs)


def fsync(fd):
    if "/.tmp-" in fd_path(fd):
        arrive("staging-fsync")
    return real_fsync(fd)


os.open, os.replace, os.rename, os.fsync, io.open = os_open, replace, rename, fsync, io_open

import events.extract

real_extract = events.extract.extract_events
calls = [0]


def extract_events(*args, **kwargs):
    calls[0] += 1
    if calls[0] == 2:
        arrive("mid-extract")
    return real_extract(*args, **kwargs)


events.extract.extract_events = extract_events

from events.cli import app

sys.argv = ["events", *sys.argv[1:]]
app()
"""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fd paths are POSIX")
#: fsync faults find the file behind a descriptor through /proc/self/fd
needs_proc_fd = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="no /proc/self/fd on this system")

#: named moments of a release, in the order a run reaches them
POINTS = ["lock-created", "mid-extract", "mid-write", pytest.param("staging-fsync", marks=needs_proc_fd),
          "before-publish", "before-index"]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """Seeds plus three more articles, so extraction has several steps to be killed in."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    for path in HOSTILE_ARTICLES.iterdir():
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture()
def dist(seeds_release: Path, tmp_path: Path) -> Path:
    """An output directory holding one valid release (1.0.0) and its releases.json; no extraction cache."""
    target = Path(shutil.copytree(seeds_release.parent, tmp_path / "dist"))
    shutil.rmtree(target / ".cache", ignore_errors=True)
    return target


def _release_args(corpus: Path, dist: Path, version: str) -> list[str]:
    return ["release", "--seeds", str(corpus), "--out", str(dist), "--version", version, "--quiet"]


def _child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


@contextmanager
def _paused_release(tmp_path: Path, point: str, args: list[str], version: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``events release`` stopped at ``point``; create ``tmp_path/go`` to let it continue."""
    arrived, go = tmp_path / f"arrived-{point}", tmp_path / "go"
    log = (tmp_path / f"child-{point}.log").open("wb")
    env = _child_env(FAULT_POINT=point, FAULT_ARRIVED=str(arrived), FAULT_GO=str(go), FAULT_VERSION=version,
                     FAULT_LOCK=LOCK_NAME)
    proc = subprocess.Popen([sys.executable, "-c", HARNESS, *args], env=env, cwd=REPO, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + ARRIVAL_TIMEOUT
        while not arrived.exists():
            if proc.poll() is not None:
                log.flush()
                output = (tmp_path / f"child-{point}.log").read_text(errors="replace")
                pytest.fail(f"the release exited ({proc.returncode}) without reaching {point!r}:\n{output}")
            if time.monotonic() > deadline:
                pytest.fail(f"the release did not reach {point!r} within {ARRIVAL_TIMEOUT:.0f} s")
            time.sleep(0.01)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        log.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def _index(dist: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((dist / "releases.json").read_text(encoding="utf-8"))
    return data


def _assert_valid(dist: Path) -> None:
    report = validate_path(dist)
    assert report.ok, report.problems
    result = runner.invoke(app, ["validate", str(dist)])
    assert result.exit_code == 0, result.output


def _assert_previous_intact(dist: Path, index_before: bytes) -> None:
    assert (dist / "releases.json").read_bytes() == index_before
    _assert_valid(dist)


def _rerun_succeeds(corpus: Path, dist: Path, version: str = NEW) -> None:
    result = runner.invoke(app, _release_args(corpus, dist, version))
    assert result.exit_code == 0, result.output
    index = _index(dist)
    assert index["latest"] == version
    assert [r["version"] for r in index["releases"]] == [PREVIOUS, version]
    _assert_valid(dist)
    leftovers = [p.name for p in dist.iterdir() if p.name.startswith((".tmp-", ".old-", ".releases.json", LOCK_NAME))]
    assert not leftovers, leftovers


# --- SIGKILL at named moments --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_sigkill_at_a_named_moment_leaves_the_previous_release_valid(tmp_path: Path, corpus: Path, dist: Path,
                                                                     point: str) -> None:
    index_before = (dist / "releases.json").read_bytes()
    with _paused_release(tmp_path, point, _release_args(corpus, dist, NEW), NEW) as proc:
        _kill(proc)
    _assert_previous_intact(dist, index_before)
    published = dist / NEW
    if point == "before-index":  # complete and renamed into place, only not yet listed
        assert validate_path(published).ok
    else:
        assert not published.exists()
    lock = dist / LOCK_NAME
    if point == "lock-created":  # killed between creating the lock and writing its pid: an empty lock
        assert lock.read_text() == ""
        refused = runner.invoke(app, _release_args(corpus, dist, NEW))
        assert refused.exit_code == 1 and "another release is starting" in refused.stderr
        old = time.time() - 3600  # later: nobody can still be writing it
        os.utime(lock, (old, old))
    else:
        assert lock.read_text().split()[0].isdigit()  # a stale lock: its pid is dead
    _rerun_succeeds(corpus, dist)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.4, 1.0, 1.6, 2.4])
def test_sigkill_after_a_delay_leaves_the_previous_release_valid(tmp_path: Path, corpus: Path, dist: Path,
                                                                delay: float) -> None:
    index_before = (dist / "releases.json").read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "events.cli", *_release_args(corpus, dist, NEW)],
                            env=_child_env(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    finished = proc.poll() is not None
    if not finished:
        _kill(proc)
    else:
        proc.wait()
    if finished and proc.returncode == 0:  # it won the race: the new release must be complete and listed
        assert _index(dist)["latest"] == NEW
        _assert_valid(dist)
        return
    if _index(dist)["latest"] == NEW:
        # killed after releases.json was replaced (the last step): the new release is complete and listed
        _assert_valid(dist)
        return
    _assert_previous_intact(dist, index_before)
    _rerun_succeeds(corpus, dist)


# --- concurrency ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_second_release_is_refused_while_one_runs(tmp_path: Path, corpus: Path, dist: Path) -> None:
    with _paused_release(tmp_path, "mid-extract", _release_args(corpus, dist, NEW), NEW) as first:
        second = subprocess.run([sys.executable, "-m", "events.cli", *_release_args(corpus, dist, "3.0.0")],
                                env=_child_env(), cwd=REPO, capture_output=True, text=True, timeout=120)
        assert second.returncode == 1
        assert second.stdout == ""
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert lines[0] == (
            f"error: another release is running on {dist} (lock {dist / LOCK_NAME} held by pid {first.pid}); "
            "wait for it or remove the lock if that process is gone"
        )
        (tmp_path / "go").touch()
        assert first.wait(timeout=120) == 0
    assert _index(dist)["latest"] == NEW
    _assert_valid(dist)
    result = runner.invoke(app, _release_args(corpus, dist, "3.0.0"))
    assert result.exit_code == 0, result.output
    assert [r["version"] for r in _index(dist)["releases"]] == [PREVIOUS, NEW, "3.0.0"]


@pytest.mark.slow
def test_two_releases_started_together_are_serialised(corpus: Path, dist: Path) -> None:
    procs = {version: subprocess.Popen([sys.executable, "-m", "events.cli", *_release_args(corpus, dist, version)],
                                       env=_child_env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
             for version in ("a", "b")}
    outcomes = {version: (proc.wait(timeout=180), proc.stderr.read() if proc.stderr else "")
                for version, proc in procs.items()}
    for proc in procs.values():
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    succeeded = {version for version, (code, _) in outcomes.items() if code == 0}
    assert succeeded, outcomes
    for code, stderr in outcomes.values():
        assert code in (0, 1), outcomes
        if code == 1:
            assert stderr.startswith(f"error: another release is running on {dist}"), stderr
    assert {r["version"] for r in _index(dist)["releases"]} == {PREVIOUS} | succeeded
    _assert_valid(dist)


def test_a_lock_left_by_a_dead_process_is_taken_over(corpus: Path, dist: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (dist / LOCK_NAME).write_text(f"{dead.stdout.strip()} {os.uname().nodename}\n")
    _rerun_succeeds(corpus, dist)


def test_an_empty_lock_is_refused_while_fresh_and_taken_over_when_old(corpus: Path, dist: Path) -> None:
    """A process killed between creating the lock and writing its pid leaves an empty lock."""
    lock = dist / LOCK_NAME
    lock.write_text("")
    result = runner.invoke(app, _release_args(corpus, dist, NEW))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: another release is starting on {dist} (lock {lock} is empty")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    _rerun_succeeds(corpus, dist)


def test_a_lock_held_on_another_host_is_respected(corpus: Path, dist: Path) -> None:
    (dist / LOCK_NAME).write_text("12345 build-server-7\n")
    result = runner.invoke(app, _release_args(corpus, dist, NEW))
    assert result.exit_code == 1
    assert "another release is running" in result.stderr and "held by pid 12345" in result.stderr
    assert (dist / LOCK_NAME).exists()


# --- write failures: one clear line, exit 1, previous release intact -----------------------------------------


def _fail_with(monkeypatch: pytest.MonkeyPatch, name: str, error: int,
               when: Callable[..., bool]) -> list[str]:
    """Make ``os.<name>`` raise OSError(error) for calls where ``when(*args)``; returns the calls that failed."""
    real = getattr(os, name)
    failed: list[str] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if when(*args):
            failed.append(repr(args[0]))
            raise OSError(error, os.strerror(error), str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, wrapper)
    return failed


def _fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


WRITE_FAULTS = [
    pytest.param("staging-dir-enospc", "mkdir", errno.ENOSPC, lambda path, *_: Path(path).name.startswith(".tmp-"),
                 "error: cannot write release files in {dist}: No space left on device", id="staging-dir-enospc"),
    pytest.param("release-file-enospc", "fsync", errno.ENOSPC, lambda fd, *_: "/.tmp-" in _fd_path(fd),
                 "error: cannot write release files in {dist}: No space left on device", id="release-file-enospc",
                 marks=needs_proc_fd),
    pytest.param("index-enospc", "fsync", errno.ENOSPC, lambda fd, *_: ".releases.json.tmp" in _fd_path(fd),
                 "error: cannot write {dist}/releases.json: No space left on device", id="index-enospc",
                 marks=needs_proc_fd),
    pytest.param("lock-erofs", "open", errno.EROFS, lambda path, *_: Path(os.fsdecode(path)).name == LOCK_NAME,
                 "error: cannot create lock file {dist}/.release.lock: Read-only file system", id="lock-erofs"),
    pytest.param("not-writable", "access", errno.EACCES, lambda path, mode, *_: False,
                 "never raised: os.access is patched below", id="not-writable"),
]


@pytest.mark.parametrize(("case", "name", "error", "when", "message"), WRITE_FAULTS)
def test_a_write_failure_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, corpus: Path, dist: Path, case: str,
                                           name: str, error: int, when: Callable[..., bool], message: str) -> None:
    index_before = (dist / "releases.json").read_bytes()
    if case == "not-writable":  # a read-only mount as root: access(2) says no even though chmod would not
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode, *a, **k: False if Path(path) == dist and mode & os.W_OK
                            else real_access(path, mode, *a, **k))
        failed = ["access"]
        message = "error: output directory {dist} is not writable"
    else:
        failed = _fail_with(monkeypatch, name, error, when)
    result = runner.invoke(app, _release_args(corpus, dist, NEW))
    monkeypatch.undo()
    assert failed, f"the fault was never injected: release.py no longer calls os.{name} there"
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [message.format(dist=dist)]
    _assert_previous_intact(dist, index_before)
    assert not (dist / NEW).exists() or case == "index-enospc"
    leftovers = [p.name for p in dist.iterdir() if p.name.startswith((".tmp-", LOCK_NAME))]
    assert not leftovers, leftovers
    _rerun_succeeds(corpus, dist)


@needs_proc_fd
def test_the_library_raises_release_error_not_os_error(monkeypatch: pytest.MonkeyPatch, corpus: Path,
                                                       dist: Path) -> None:
    _fail_with(monkeypatch, "fsync", errno.EIO, lambda fd, *_: "/.tmp-" in _fd_path(fd))
    with pytest.raises(ReleaseError, match="Input/output error"):
        build_release(corpus, dist, version=NEW)


# --- real file systems: a full tmpfs and a read-only one (needs mount rights: root with CAP_SYS_ADMIN) ----------


@contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or mounted.returncode})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_full_disk_fails_cleanly(tmp_path: Path, corpus: Path) -> None:
    with _tmpfs(tmp_path / "small", "1m") as out:
        result = runner.invoke(app, _release_args(corpus, out, NEW))
        assert result.exit_code == 1, result.output
        assert result.stderr.strip().splitlines() == [
            f"error: cannot write release files in {out}: No space left on device"]
        assert not any(p.name.startswith((".tmp-", LOCK_NAME)) for p in out.iterdir())
        assert not (out / NEW).exists()


def test_a_read_only_file_system_fails_cleanly(tmp_path: Path, corpus: Path, dist: Path) -> None:
    with _tmpfs(tmp_path / "ro", "64m") as out:
        shutil.copytree(dist, out, dirs_exist_ok=True)
        index_before = (out / "releases.json").read_bytes()
        remounted = subprocess.run(["mount", "-o", "remount,ro", str(out)], capture_output=True, text=True)
        if remounted.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remounted.stderr.strip()}")
        result = runner.invoke(app, _release_args(corpus, out, NEW))
        assert result.exit_code == 1, result.output
        assert result.stderr.strip().splitlines() == [f"error: output directory {out} is not writable"]
        _assert_previous_intact(out, index_before)
