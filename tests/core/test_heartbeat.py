"""The heartbeat thread: beats until stopped, stops for good once its work is no longer ours, survives a failed beat."""

from __future__ import annotations

import threading

from workbench.core.heartbeat import Heartbeat

WAIT_S = 10.0


def test_it_beats_until_stopped_and_then_never_again():
    beats: list[int] = []
    third = threading.Event()

    def beat() -> bool:
        beats.append(len(beats))
        if len(beats) == 3:
            third.set()
        return True

    with Heartbeat(beat, every_s=0.01, name="test-beats") as heartbeat:
        assert third.wait(WAIT_S)
    # stop() waited for the thread to end: no beat can come after it.
    assert not heartbeat._thread.is_alive() and not heartbeat.lost.is_set()


def test_a_beat_that_finds_the_work_no_longer_ours_ends_the_beats_and_says_so():
    beats: list[bool] = []
    exited = threading.Event()
    heartbeat = Heartbeat(lambda: beats.append(False) or False, every_s=0.01, name="test-lost", on_exit=exited.set)
    heartbeat.start()
    assert heartbeat.lost.wait(WAIT_S) and exited.wait(WAIT_S)
    heartbeat.stop()
    assert beats == [False]


def test_a_failed_beat_is_tried_again_at_the_next_one():
    outcomes = iter([ConnectionError("database gone"), True, True])
    renewed = threading.Event()

    def beat() -> bool:
        outcome = next(outcomes, True)
        if isinstance(outcome, Exception):
            raise outcome
        renewed.set()
        return outcome

    with Heartbeat(beat, every_s=0.01, name="test-retry") as heartbeat:
        assert renewed.wait(WAIT_S)
    assert not heartbeat.lost.is_set()
