"""The district benchmark in its CI size, as a test: 3 `serve` replicas on PostgreSQL behind
a round-robin proxy, the emulator calling the webhook over HTTP, 60 teachers entering and
confirming batches while the month-end reminders go out and the leader is killed.

What it checks is what must hold at any size: every batch stored once, no reminder
delivered twice, reminders never faster than Telegram allows, every school's chain
intact. The latencies are printed by `python -m bench.district`, not asserted here."""

import os

import pytest

from bench.district import CI, run
from tests.databases import postgres_admin_url


def test_a_district_evening_with_a_leader_killed_mid_broadcast(emulator):
    if postgres_admin_url() is None:
        if os.environ.get("SODIEM_REQUIRE_POSTGRES"):
            pytest.fail("SODIEM_REQUIRE_POSTGRES is set but SODIEM_TEST_POSTGRES_URL is not")
        pytest.skip("SODIEM_TEST_POSTGRES_URL chưa đặt: bỏ qua phép thử cả phòng GD&ĐT")
    report = run(CI)
    print("\n".join(report.lines()))
    assert report.teachers == 60 and report.batches == 120
    assert report.stored == report.batches and report.duplicate_cells == 0
    assert len(report.previews) == len(report.confirms) == report.batches
    assert report.killed, "the leader was never seen sending, so it was not killed"
    assert set(report.reminders) <= {"sent", "uncertain"}
    assert sum(report.reminders.values()) == report.teachers  # each teacher owes scores
    assert report.duplicate_reminders == 0
    assert len(report.reminder_chats) >= report.reminders["sent"]
    assert report.takeover is not None, "no reminder was sent after the leader died"
    assert report.reminder_peak <= 30
    assert report.chains_ok and report.chain_count == CI.schools
