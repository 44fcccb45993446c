"""fit's Ctrl-C guard: the first SIGINT asks the loop to stop, the second interrupts at once, and a
program's own SIGINT handler (the command line's) hears both."""
import signal
import sys

import pytest

from neuronlab.training.guards import _StopOnInterrupt

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


class _Net:
    stop_training = False


def test_the_first_sigint_asks_to_stop_and_the_second_raises_keyboard_interrupt():
    net = _Net()
    with _StopOnInterrupt(net) as guard:
        signal.raise_signal(signal.SIGINT)
        assert guard.fired and net.stop_training
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_program_handler_installed_before_hears_every_sigint_and_is_put_back():
    heard = []

    def program_handler(signum, frame):
        heard.append(signum)

    before = signal.signal(signal.SIGINT, program_handler)
    try:
        net = _Net()
        with _StopOnInterrupt(net) as guard:
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)      # the program decides what the second one does
            assert guard.fired and net.stop_training
        assert heard == [signal.SIGINT, signal.SIGINT]
        assert signal.getsignal(signal.SIGINT) is program_handler
    finally:
        signal.signal(signal.SIGINT, before)


def test_an_ignored_sigint_still_stops_training_and_the_second_still_interrupts():
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        net = _Net()
        with _StopOnInterrupt(net):
            signal.raise_signal(signal.SIGINT)
            assert net.stop_training
            with pytest.raises(KeyboardInterrupt):
                signal.raise_signal(signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
