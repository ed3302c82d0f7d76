"""The collector pause around whole-year grading: counted, and always undone."""

import gc
import threading

import pytest

from core.gc_pause import collector_paused


def test_the_collector_runs_again_after_the_outermost_pause():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner pause ending must not end the outer one"
    assert gc.isenabled()


def test_an_error_inside_the_pause_still_re_enables_the_collector():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("grading failed")
    assert gc.isenabled()


def test_a_collector_someone_else_disabled_stays_disabled():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_in_threads_end_with_the_last_one():
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def long_grading():
        with collector_paused():
            first_in.set()
            second_done.wait(5)
            seen.append(gc.isenabled())

    def short_grading():
        first_in.wait(5)
        with collector_paused():
            pass
        second_done.set()

    threads = [threading.Thread(target=long_grading), threading.Thread(target=short_grading)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [False], "the short pause ended the long one's"
    assert gc.isenabled()
