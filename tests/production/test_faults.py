"""Faults of the production shape: a worker killed in the middle of a
request, PostgreSQL restarted, the database's disk full.  After each the
service answers again, nothing posted is lost, nothing half-written is
left, and the client got an error it can show."""
import http.client
import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from tests.rpc import JSONRPCClient, RPCError

from .tools import (
    institutions_of, move_values, moves_described, needs_manager, post_move,
    quote, run_queued_task, wait_until)


@pytest.fixture
def accountant(stack):
    c = JSONRPCClient(stack.database, url=stack.url)
    c.login(stack.accountant.login, stack.accountant.password)
    return c


def ledger_digest(stack):
    "What the posted moves say, to compare before and after a fault"
    return stack.postgres.psql(
        "SELECT count(*), sum(l.debit), sum(l.credit), "
        "string_agg(m.number, ',' ORDER BY m.id) "
        "FROM account_move m JOIN account_move_line l ON l.move = m.id "
        "WHERE m.state = 'posted'", stack.database)


def socket_inodes(pid):
    inodes = set()
    for fd in pathlib.Path(f'/proc/{pid}/fd').iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith('socket:['):
            inodes.add(target[8:-1])
    return inodes


def worker_serving(manager, client_port):
    """The gunicorn worker holding the connection from client_port (from
    /proc/net/tcp: the server side's remote port is the client's)"""
    inode = None
    for line in pathlib.Path('/proc/net/tcp').read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(':')[1], 16)
        local_port = int(fields[1].split(':')[1], 16)
        if remote_port == client_port and local_port == int(
                manager.listen.rsplit(':', 1)[1]):
            inode = fields[9]
    for pid in manager.worker_pids():
        if inode in socket_inodes(pid):
            return pid


def test_worker_killed_mid_request(stack, accountant):
    """A worker killed while it writes a large move: the client's request
    fails, no part of the move is stored, gunicorn starts a new worker and
    the same move then goes through"""
    manager = needs_manager(stack)
    manager.wait_workers(3)
    company = institutions_of(accountant)[0]
    description = 'Fault: killed worker'
    values = move_values(accountant, company, description, lines=1500)
    body = json.dumps({'id': 1, 'method': 'model.account.move.create',
            'params': [[values], accountant.context]},
        cls=accountant.encoder)
    host, port = manager.listen.rsplit(':', 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    connection.connect()
    client_port = connection.sock.getsockname()[1]
    outcome = {}

    def send():
        try:
            connection.request('POST', f'/{stack.database}/rpc/', body, {
                    'Content-Type': 'application/json',
                    'Authorization': accountant.authorization})
            outcome['status'] = connection.getresponse().status
        except (OSError, http.client.HTTPException) as e:
            outcome['error'] = e
    thread = threading.Thread(target=send)
    thread.start()
    pid = None
    deadline = time.monotonic() + 10
    while pid is None and time.monotonic() < deadline:
        pid = worker_serving(manager, client_port)
        time.sleep(0.05)
    assert pid, "no worker took the request"
    time.sleep(1)  # well inside the request (it takes several seconds)
    assert thread.is_alive(), "the request ended before the kill"
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    thread.join(30)
    assert 'error' in outcome, outcome  # the client sees the cut connection
    assert moves_described(stack, description) == []
    wait_until(lambda: len(manager.worker_pids()) == 3
        and pid not in manager.worker_pids(), 30,
        "new worker in place of the killed one")
    stack.extra['worker killed mid-request: replaced after'] = (
        f"{time.monotonic() - killed_at:.1f} s; "
        f"the client: {outcome['error']!r}")
    move = post_move(accountant, company, description, lines=3)
    assert moves_described(stack, description) == ['posted']
    assert move


def test_postgresql_restarted(stack, accountant):
    """PostgreSQL stopped: calls fail with an error after psycopg's pool
    waited 30 s for a connection (they never hang); started again: the same
    workers serve again (the pool checks its connections) and the posted
    moves are there"""
    manager = needs_manager(stack)
    company = institutions_of(accountant)[0]
    post_move(accountant, company, 'Fault: before the restart')
    before = ledger_digest(stack)
    workers = sorted(manager.worker_pids())

    stack.postgres.pg_ctl('stop', '-m', 'fast', '-w')
    try:
        started = time.monotonic()
        with pytest.raises(RPCError) as down:
            accountant.model('company.company', 'search', [])
        assert time.monotonic() - started < 45
        stack.extra['error while PostgreSQL is down'] = str(
            down.value)[:300]
    finally:
        stack.postgres.pg_ctl('start', '-w')
        restarted_at = time.monotonic()

    # pooled connections died with the server: a call may fail once
    def answers():
        try:
            return accountant.model('company.company', 'search', [])
        except RPCError:
            return False
    wait_until(answers, 30, "answer after PostgreSQL is back")
    stack.extra['PostgreSQL started again: first answer after'] = (
        f"{time.monotonic() - restarted_at:.1f} s")
    assert ledger_digest(stack) == before
    post_move(accountant, company, 'Fault: after the restart')
    assert moves_described(stack, 'Fault: after the restart') == ['posted']
    assert sorted(manager.worker_pids()) == workers
    # the queue worker lost its connection: it exits and is started again
    # (kazan.worker under its supervisor), then runs tasks again
    run_queued_task(stack)
    assert manager.restarts.get('worker', 0) >= 1


@pytest.fixture
def small_disk(stack):
    """The move lines' table in a tablespace on a 32 MiB tmpfs (root
    only: mount)"""
    needs_manager(stack)
    if os.getuid() != 0:
        pytest.fail("the full disk test mounts a tmpfs: run as root")
    # under /tmp, open to the postgres user (pytest's tmp_path is not)
    directory = pathlib.Path(tempfile.mkdtemp(prefix='kazan-small-disk.'))
    directory.chmod(0o755)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=32m',
            'kazan-small-disk', str(directory)], check=True)
    try:
        tablespace = directory / 'pg'
        tablespace.mkdir()
        shutil.chown(tablespace, 'postgres', 'postgres')
        stack.postgres.psql(
            f"CREATE TABLESPACE kazan_small LOCATION {quote(str(tablespace))}")
        stack.postgres.psql(
            "ALTER TABLE account_move_line SET TABLESPACE kazan_small",
            stack.database)
        yield directory
    finally:
        stack.postgres.psql(
            "ALTER TABLE account_move_line SET TABLESPACE pg_default",
            stack.database)
        stack.postgres.psql("DROP TABLESPACE IF EXISTS kazan_small")
        subprocess.run(['umount', str(directory)], check=True)
        directory.rmdir()


def fill(directory):
    "Fill the file system of directory to the last byte; the filler file"
    filler = directory / 'filler'
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in [1 << 20, 1 << 12, 1]:
            block = b'\0' * size
            try:
                while True:
                    os.write(fd, block)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def test_database_disk_full(stack, accountant, small_disk):
    """The disk of the move lines full: posting fails with the server's
    reason, no part of the move is stored; disk freed, it goes through"""
    company = institutions_of(accountant)[0]
    post_move(accountant, company, 'Fault: before the disk is full')
    before = ledger_digest(stack)
    filler = fill(small_disk)
    description = 'Fault: disk full'
    try:
        with pytest.raises(RPCError) as full:
            post_move(accountant, company, description, lines=200)
        message = str(full.value)
        stack.extra['error when the disk is full'] = message[:300]
        assert 'No space left on device' in message, message
        assert moves_described(stack, description) == []
        assert ledger_digest(stack) == before
    finally:
        filler.unlink()
    post_move(accountant, company, description, lines=200)
    assert moves_described(stack, description) == ['posted']
