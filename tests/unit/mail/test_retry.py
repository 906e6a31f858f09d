"""The retry policy: exponential, jittered both ways, capped, bounded."""

import pytest

from application.mail.retry import RetryPolicy


def test_delays_double_from_the_base_up_to_the_cap():
    policy = RetryPolicy(base=30, cap=600, jitter=0)
    assert [policy.delay(n, 0.5) for n in range(1, 8)] == [30, 60, 120, 240, 480, 600, 600]


def test_jitter_spreads_a_delay_either_way_but_never_past_the_cap():
    policy = RetryPolicy(base=100, cap=1000, jitter=0.2)
    assert policy.delay(1, 0.0) == pytest.approx(80)
    assert policy.delay(1, 0.999999) == pytest.approx(120, rel=1e-4)
    assert policy.delay(4, 0.999999) == pytest.approx(960, rel=1e-4)
    assert policy.delay(5, 0.999999) == 1000
    assert policy.delay(5, 0.0) == 1000


def test_a_huge_attempt_number_stays_at_the_cap():
    assert RetryPolicy(base=1, cap=60, jitter=0).delay(10_000, 0.3) == 60


def test_attempts_run_out():
    policy = RetryPolicy(max_attempts=3)
    assert not policy.exhausted(2)
    assert policy.exhausted(3)


@pytest.mark.parametrize("kwargs", [{"max_attempts": 0}, {"base": 0}, {"base": 10, "cap": 5}, {"jitter": 1.0}])
def test_nonsense_policies_are_refused(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)
