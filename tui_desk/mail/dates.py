"""When an imported message counts as written: the moment waiting time and the SLA start from.

A Date header is whatever the sender's machine (or the sender) wrote: a 2099
date would hide a ticket for decades, a 2001 date would put it on top. So:

- live mail (``fetch``): the arrival time (IMAP INTERNALDATE, else now); the
  header date only when it is within SKEW of the arrival, where it is the
  more precise of the two (it is when the customer pressed send);
- archive imports (``import``): the header date, which is all an old mailbox
  has, but never later than now (nor earlier than EARLIEST: then it is now).

Whichever it is, a message never counts as written in the future.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum


class MessageDates(StrEnum):
    LIVE = "live"  # fetched now: the arrival time decides
    ARCHIVE = "archive"  # an old mailbox: the header date decides, clamped to now


# Ordinary clock drift and delivery delay stay well inside it; a forged date does not.
SKEW = timedelta(minutes=15)
# E-mail is younger than this: an earlier Date header is broken or forged, no date at all (years
# before 1000 were not even stored as text the store could read back: the message was skipped).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def message_time(
    dates: MessageDates, header: datetime | None, arrival: datetime | None, now: datetime
) -> datetime:
    """The moment a message counts as written; see the module docstring."""
    if header is not None and header <= EARLIEST:  # the Unix epoch itself: a zero time_t, no date
        header = None
    if dates is MessageDates.ARCHIVE:
        return min(header, now) if header is not None else now
    received = min(arrival, now) if arrival is not None else now
    if header is not None and abs(header - received) <= SKEW:
        return min(header, now)
    return received


_MONTHS = {m: n for n, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_INTERNALDATE = re.compile(rb'INTERNALDATE "\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"')


def internaldate(response: bytes) -> datetime | None:
    """The INTERNALDATE in an IMAP FETCH response line (when the server received the message), or None.

    Parsed here rather than with strptime, whose month names follow the locale.
    """
    found = _INTERNALDATE.search(response)
    if found is None:
        return None
    day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = (
        group.decode("ascii") for group in found.groups()
    )
    try:
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
        zone = timezone(-offset if sign == "-" else offset)
        moment = datetime(int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second), tzinfo=zone)
        return moment.astimezone(UTC)
    except (KeyError, ValueError, OverflowError):
        return None
