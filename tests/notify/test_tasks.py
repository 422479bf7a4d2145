"""The outbox through the real database task queue and worker, the sweeper, and concurrency."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from congso.notify import services
from congso.notify.models import Channel, DevPhoneMessage, Message, MessageStatus
from congso.notify.services import message_deliver, message_send, notify_sweep
from congso.notify.tasks import message_deliver_task, notify_sweep_task

from .support import FakeGateway, run_worker

DELIVER = message_deliver_task.module_path
SWEEP = notify_sweep_task.module_path


def send_code(code: str, phone: str = "0912345678") -> Message:
    [message] = message_send(
        template="identity.activation_code",
        context={"code": code, "minutes": 5},
        channels=[Channel.SMS],
        phone=phone,
    )
    return message


def stuck_for(message: Message, minutes: int) -> None:
    """The message has waited in the queue this long without anyone delivering it."""
    past = timezone.now() - datetime.timedelta(minutes=minutes)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=past, enqueued_at=past)


@pytest.mark.django_db(transaction=True)
def test_committed_message_is_delivered_by_the_database_worker(dev_phone: Any, client: Client) -> None:
    with transaction.atomic():
        message = send_code("314159")
        # Inside the transaction nothing is enqueued yet: the task waits for the commit.
        assert not DBTaskResult.objects.filter(task_path=DELIVER).exists()
    assert DBTaskResult.objects.filter(task_path=DELIVER, status=TaskResultStatus.READY).count() == 1

    run_worker()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert DBTaskResult.objects.get(task_path=DELIVER).status == TaskResultStatus.SUCCESSFUL
    [sms] = client.get("/dev/phone.json", {"phone": "0912345678"}).json()["messages"]
    assert "314159" in sms["text"]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_message_never_reaches_the_worker(dev_phone: Any, client: Client) -> None:
    def register_then_fail() -> None:
        with transaction.atomic():
            send_code("271828")
            raise RuntimeError("the citizen's registration failed")

    with pytest.raises(RuntimeError):
        register_then_fail()

    run_worker()

    assert not Message.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=DELIVER).exists()
    assert client.get("/dev/phone.json").json() == {"messages": []}


@pytest.mark.django_db(transaction=True)
def test_sweeper_delivers_a_message_whose_enqueue_was_lost(
    dev_phone: Any, monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    # The process dies between the commit and the enqueue.
    with monkeypatch.context() as patched:
        patched.setattr(services, "_enqueue", lambda *args, **kwargs: None)
        message = send_code("161803")
    run_worker()
    assert Message.objects.get(pk=message.pk).status == MessageStatus.QUEUED

    assert notify_sweep() == 0  # just queued: not stuck yet
    stuck_for(message, minutes=6)
    assert notify_sweep() == 1
    run_worker()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    [sms] = client.get("/dev/phone.json").json()["messages"]
    assert "161803" in sms["text"]
    # Once delivered, a later sweep leaves it alone.
    stuck_for(message, minutes=60)
    assert notify_sweep() == 0


@pytest.mark.django_db
def test_sweeper_retries_a_message_whose_worker_died_while_sending(
    dev_phone: Any, immediate_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    message = send_code("141421")
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, claimed_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_sweep() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert "141421" in DevPhoneMessage.objects.get().text


@pytest.mark.django_db
def test_sweeper_gives_up_on_a_half_sent_message_out_of_attempts(dev_phone: Any, settings: Any) -> None:
    settings.CONGSO_NOTIFY_MAX_ATTEMPTS = 2
    message = send_code("173205")
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=2, claimed_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    assert notify_sweep() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "outcome unknown" in message.last_error


@pytest.mark.django_db
def test_sweep_command_reports_what_it_re_enqueued(
    dev_phone: Any, capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any
) -> None:
    stuck_for(send_code("223606"), minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify_sweep", "--schedule")
    out = capsys.readouterr().out
    assert "1 message(s) re-enqueued" in out
    assert "periodic sweep" in out
    assert DBTaskResult.objects.filter(task_path=DELIVER, status=TaskResultStatus.READY).exists()


@pytest.mark.django_db
def test_periodic_sweep_keeps_exactly_one_successor_waiting(dev_phone: Any) -> None:
    DBTaskResult.objects.filter(task_path=SWEEP).delete()
    stuck_for(send_code("244949"), minutes=30)

    assert notify_sweep_task.call() == 1
    assert notify_sweep_task.call() == 0

    [waiting] = DBTaskResult.objects.filter(task_path=SWEEP, status=TaskResultStatus.READY)
    assert waiting.run_after > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_message_send_it_once(gateway: FakeGateway, settings: Any) -> None:
    # The gateway answers slowly, so the second worker arrives while the first is sending;
    # the client waits well beyond that, so a loaded machine does not turn it into a timeout.
    settings.CONGSO_SMS_GATEWAY_TIMEOUT = 10
    gateway.answer(("slow", 0.3, 200, {"id": "gw-once"}))
    with transaction.atomic():
        message = send_code("111111")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(message_deliver(message_id=message.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(gateway.requests) == 1
    assert sorted(outcomes) == [MessageStatus.SENDING, MessageStatus.SENT]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert message.provider_message_id == "gw-once"
