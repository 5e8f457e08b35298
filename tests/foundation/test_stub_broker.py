"""A delayed message a stopped test worker held never hangs a later test's join()."""

import time

import pytest
from dramatiq import Worker
from dramatiq.common import dq_name

from app.notify.actors import send_due_emails
from tests.support.fixtures import forget_unfinished


def test_a_delayed_message_a_stopped_worker_held_does_not_hang_the_next_join(stub_broker):
    worker = Worker(stub_broker, worker_timeout=50, worker_threads=1)
    worker.start()
    send_due_emails.send_with_options(delay=60_000)  # an email fallback, due long after the test
    delayed = stub_broker.queues[dq_name("email")]
    deadline = time.monotonic() + 10
    while delayed.qsize() and time.monotonic() < deadline:  # the worker's consumer takes it to hold
        time.sleep(0.02)
    assert delayed.qsize() == 0
    worker.stop()
    assert delayed.unfinished_tasks == 1  # dropped, never marked done: join() would wait forever

    forget_unfinished(stub_broker)  # what the stub_broker fixture does before and after each test
    stub_broker.join("email", timeout=1_000)
    assert delayed.unfinished_tasks == 0


def test_the_join_of_a_queue_a_worker_left_unfinished_times_out_without_the_reset(stub_broker):
    worker = Worker(stub_broker, worker_timeout=50, worker_threads=1)
    worker.start()
    send_due_emails.send_with_options(delay=60_000)
    delayed = stub_broker.queues[dq_name("email")]
    deadline = time.monotonic() + 10
    while delayed.qsize() and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.stop()
    stub_broker.flush_all()  # dramatiq's own flush cannot mark done what it no longer holds
    with pytest.raises(Exception, match="(?i)timeout|timed out"):
        stub_broker.join("email", timeout=300)
