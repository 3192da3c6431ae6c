"""Value formats later stages depend on, checked when the file is validated rather than when it fails.

Each check returns the value or raises ``ValueError`` with a message for the user; none of
them lets another exception type escape (pydantic only turns ``ValueError`` into a clean error).
"""

from __future__ import annotations

import ipaddress
import re

from croniter import croniter

# Private (RFC 1918) space: tenant networks are never routed on the internet.
PRIVATE_V4 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))

# KEDA's cron scaler parses with robfig/cron's standard parser: five fields, numbers, names
# (JAN-DEC, SUN-SAT), * , - / and ?; no seconds, no years, no Quartz L/W/#, no @descriptors.
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/-]{1,64}$")
_NAMES = {
    3: {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"},
    4: {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"},
}
_CRON_FIELDS = ("minute", "hour", "day of month", "month", "day of week")
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))  # robfig/cron: Sunday is 0 only

# The OCI distribution reference grammar (github.com/distribution/reference, regexp.go).
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:]+\])(?::[0-9]{{1,5}})?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
IMAGE_REFERENCE = re.compile(
    rf"^(?P<name>(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)
MAX_IMAGE_NAME = 255


def _shown(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


def cron_expression(value: str) -> str:
    """A five-field cron instant as KEDA's cron trigger reads it."""
    fields = value.split(" ")
    if len(value) > 100 or len(fields) != 5 or value != value.strip() or any(not f for f in fields):
        raise ValueError(
            f"{_shown(value)} is not a five-field cron expression (minute hour day-of-month month day-of-week, "
            "one space apart, e.g. '0 8 * * 1-5')"
        )
    for index, part in enumerate(fields):
        name = _CRON_FIELDS[index]
        if not _CRON_FIELD.match(part):
            raise ValueError(f"{_shown(value)}: {name} field {_shown(part, 20)} has characters cron does not accept")
        words = set(re.findall(r"[A-Za-z]+", part))
        if words and (index not in _NAMES or not {w.upper() for w in words} <= _NAMES[index]):
            raise ValueError(f"{_shown(value)}: {name} field {_shown(part, 20)} is not a number or a name cron knows")
        if "?" in part and (part != "?" or index not in (2, 4)):
            raise ValueError(f"{_shown(value)}: '?' stands alone and only in the day fields")
        low, high = _CRON_RANGES[index]
        for number in re.findall(r"[0-9]+", part):
            step = re.search(rf"/0*{number}(?![0-9])", part)
            if len(number) > 2 or (not step and not low <= int(number) <= high) or (step and int(number) == 0):
                raise ValueError(f"{_shown(value)}: {name} field {_shown(part, 20)} is outside {low}-{high}")
    try:
        valid = croniter.is_valid(value.replace("?", "*"))
    except Exception:
        valid = False
    if not valid:
        raise ValueError(f"{_shown(value)} is not a valid cron expression")
    return value


def image_reference(value: str) -> str:
    """An OCI image reference with a tag or a digest (never the implicit ``latest``)."""
    match = IMAGE_REFERENCE.match(value) if len(value) <= 512 else None
    if match is None:
        raise ValueError(
            f"{_shown(value)} is not an OCI image reference ([registry/]repository[:tag][@digest], lower-case, "
            "no spaces or shell characters)"
        )
    if len(match.group("name")) > MAX_IMAGE_NAME:
        raise ValueError(f"image name longer than {MAX_IMAGE_NAME} characters")
    if match.group("tag") is None and match.group("digest") is None:
        raise ValueError(f"{_shown(value)} has neither a tag nor a digest (say which image: name:tag or name@sha256:...)")
    digest = match.group("digest")
    if digest and digest.startswith("sha256:") and len(digest) != len("sha256:") + 64:
        raise ValueError(f"{_shown(value)}: a sha256 digest has 64 hex digits")
    return value


def private_network(value: str, low: int, high: int) -> ipaddress.IPv4Network:
    """``value`` as an IPv4 network in private space with a prefix length from ``low`` to ``high``."""
    if len(value) > 18 or not re.fullmatch(r"[0-9./]+", value):
        raise ValueError(f"{_shown(value)} is not an IPv4 CIDR such as 10.0.0.0/16")
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{_shown(value)} is not an IPv4 CIDR ({exc})") from None
    if "/" not in value:
        raise ValueError(f"{_shown(value)} needs a prefix length, e.g. {value}/{high}")
    if not low <= network.prefixlen <= high:
        span = f"/{low}" if low == high else f"/{low} to /{high}"
        raise ValueError(f"{value} has prefix /{network.prefixlen}; this range must be {span}")
    if not any(network.subnet_of(block) for block in PRIVATE_V4):
        raise ValueError(f"{value} is not private address space (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)")
    return network


# RFC 1123 host names as Gateway API accepts them, minus wildcards: a tenant names exact hosts, so a
# `*.example.com` can never capture another tenant's traffic.
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_HOSTNAME = 253


def hostname(value: str) -> str:
    """A fully qualified, lowercase DNS host name (at least two labels, no wildcard, not an IP address)."""
    if len(value) > MAX_HOSTNAME:
        raise ValueError(f"{_shown(value)} is longer than {MAX_HOSTNAME} characters")
    if value.startswith("*"):
        raise ValueError(f"{_shown(value)}: wildcards are not allowed; name each host")
    labels = value.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(f"{_shown(value)} is not a lowercase fully qualified host name such as shop.example.com")
    if labels[-1].isdigit():
        raise ValueError(f"{_shown(value)} is an IP address, not a host name")
    return value
