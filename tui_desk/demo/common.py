"""What every part of the demo generator shares: time units, the stored time format, its random source."""

from __future__ import annotations

import random
import time

from ..domain.models import BUILTIN_MEANINGS, Meaning, Priority

MINUTE = 60
HOUR = 3600
DAY = 86400
SPAN = 42 * DAY  # tickets are spread over the six weeks before `now`

MEANINGS: dict[str, Meaning] = {str(k): v for k, v in BUILTIN_MEANINGS.items()}
RANKS = {p.value: p.rank for p in Priority}


_DAYS: dict[int, str] = {}
DAY_OF: dict[str, int] = {}
_CLOCK_TIMES: list[str] = []  # "HH:MM:SSZ" for every second of a day, made on first use


def stored_time(epoch: int) -> str:
    """The stored time format (clock.to_text), without building datetimes (it is called a lot)."""
    day, second = divmod(epoch, DAY)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * DAY))
        DAY_OF[prefix] = day
        if not _CLOCK_TIMES:
            _CLOCK_TIMES.extend(f"{s // HOUR:02d}:{s // MINUTE % 60:02d}:{s % 60:02d}Z" for s in range(DAY))
    return prefix + _CLOCK_TIMES[second]


class DemoRandom(random.Random):
    """random.Random with a quicker choice and randint (called hundreds of thousands of times)."""

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def digits(rng: random.Random, n: int) -> str:
    return str(int(rng.random() * 10**n)).zfill(n)
