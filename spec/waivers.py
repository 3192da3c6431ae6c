"""Waivers: time-boxed exceptions to policies, owned by the security team, never by a tenant file.

A waiver lives in ``waivers/<tenant>.yaml`` beside the ``tenants/`` folder. ``.github/CODEOWNERS``
gives ``waivers/`` (and ``policies/``) to the security owners, so a pull request that adds or
extends a waiver needs their review, while the platform team reviews ``tenants/``. A tenant file
that still carries ``waivers:`` is an input error pointing here.

Every waiver names an owner (an e-mail address or a ``@org/team`` group) and an approver (an e-mail
address, not the owner: nobody approves their own exception), a reason of substance, a ticket and
an expiry at most ``max_days`` ahead (90 by default; ``waivers/_limits.yaml`` may set another
bound). Whether the policy exists and is critical is checked by ``tenantctl`` against the pack,
which spec does not import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from spec.base import FieldError, StrictModel
from spec.errors import SpecError, SpecErrors
from spec.loader import _errors as _tenant_errors
from spec.loader import _parse, line_of
from spec.safe_yaml import plain as _plain

DEFAULT_MAX_DAYS = 90
LIMITS_FILE = "_limits.yaml"  # not a DNS label, so never a tenant's waiver file
GROUP = re.compile(r"^@[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")  # a GitHub team, @org/team
TICKET = re.compile(r"^([A-Z][A-Z0-9]+-[0-9]+|https://\S+)$")  # SEC-123 or a link to the tracker
# Words that say nothing about why an exception is acceptable.
EMPTY_REASONS = frozenset({"n/a", "na", "none", "todo", "tbd", "temp", "temporary", "test", "testing", "wip", "fix later"})
MIN_REASON_WORDS = 5
MIN_REASON_CHARS = 30
MOVED = (
    "waivers no longer live in tenant files: move each one to waivers/{tenant}.yaml (owned by the "
    "security team through .github/CODEOWNERS) with an owner, an approver, a ticket and an expiry "
    "at most {days} days ahead"
)


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"must be an e-mail address ({exc})") from None


class Waiver(StrictModel):
    policy: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)+$", description="Name of the policy waived.")]
    reason: Annotated[
        str, Field(max_length=500, description="Why the exception is acceptable and what compensates for it.")
    ]
    owner: Annotated[str, Field(max_length=254, description="Who answers for it: an e-mail address or @org/team.")]
    approver: Annotated[str, Field(max_length=254, description="Security approver's e-mail address (not the owner).")]
    ticket: Annotated[str, Field(max_length=200, description="Tracking ticket, e.g. SEC-1234 or an https:// link.")]
    expires: Annotated[dt.date, Field(strict=False, description="Last day the waiver applies (YYYY-MM-DD).")]

    @field_validator("reason")
    @classmethod
    def _substantial(cls, value: str) -> str:
        text = " ".join(value.split())
        if text.lower().strip(".! ") in EMPTY_REASONS or len(text) < MIN_REASON_CHARS:
            raise ValueError(f"must explain why the exception is acceptable (at least {MIN_REASON_CHARS} characters)")
        if len(re.findall(r"[A-Za-z]{2,}", text)) < MIN_REASON_WORDS:
            raise ValueError(f"must explain why the exception is acceptable (at least {MIN_REASON_WORDS} words)")
        return text

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        return value if GROUP.match(value) else _email(value)

    @field_validator("approver")
    @classmethod
    def _approver(cls, value: str) -> str:
        return _email(value)

    @field_validator("ticket")
    @classmethod
    def _ticket(cls, value: str) -> str:
        if not TICKET.match(value):
            raise ValueError("must be a ticket key (e.g. SEC-1234) or an https:// link")
        return value

    @field_validator("expires")
    @classmethod
    def _bounded(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        context = info.context or {}
        today: dt.date = context.get("today") or dt.date.today()
        days: int = context.get("max_days") or DEFAULT_MAX_DAYS
        if value > today + dt.timedelta(days=days):
            raise ValueError(f"must be at most {days} days ahead ({(today + dt.timedelta(days=days)).isoformat()})")
        return value

    @model_validator(mode="after")
    def _not_self_approved(self) -> Waiver:
        if self.approver.lower() == self.owner.lower():
            raise FieldError(("approver",), "must not be the owner: nobody approves their own exception")
        return self


class WaiverFile(StrictModel):
    tenant_id: Annotated[str, Field(description="The tenant these waivers belong to; equal to the file name.")]
    waivers: Annotated[list[Waiver], Field(description="The tenant's exceptions.")]

    @model_validator(mode="after")
    def _one_per_policy(self) -> WaiverFile:
        seen: set[str] = set()
        for index, waiver in enumerate(self.waivers):
            if waiver.policy in seen:
                raise FieldError(("waivers", index, "policy"), f"{waiver.policy!r} is waived twice")
            seen.add(waiver.policy)
        return self


class Limits(StrictModel):
    max_days: Annotated[int, Field(ge=1, le=365, description="Longest a waiver may run from today.")] = DEFAULT_MAX_DAYS


@dataclass(frozen=True)
class LoadedWaiver:
    """A waiver and where it was written (for ``path:line`` errors)."""

    index: int
    waiver: Waiver
    path: str
    line: int


def waivers_folder(tenant_path: Path) -> Path:
    """``<root>/tenants/x.yaml`` → ``<root>/waivers``: a sibling of the tenants folder."""
    return tenant_path.resolve().parent.parent / "waivers"


def waiver_path(tenant_path: Path, tenant_id: str) -> Path:
    return waivers_folder(tenant_path) / f"{tenant_id}.yaml"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def max_days(folder: Path) -> int:
    """The platform's bound on waiver length: ``waivers/_limits.yaml`` ``max_days``, else 90."""
    path = folder / LIMITS_FILE
    if not path.exists():
        return DEFAULT_MAX_DAYS
    shown = _shown(path)
    source = _parse(path, shown)
    try:
        return Limits.model_validate(_plain(source)).max_days
    except ValidationError as exc:
        raise SpecErrors(_tenant_errors(exc, {}, source, shown)) from None


def load_waivers(tenant_path: Path, tenant_id: str, today: dt.date) -> list[LoadedWaiver]:
    """The tenant's waivers (none when it has no waiver file), or ``SpecErrors`` at ``path:line``."""
    path = waiver_path(tenant_path, tenant_id)
    if not path.exists():
        return []
    shown = _shown(path)
    source = _parse(path, shown)
    raw: dict[str, Any] = _plain(source)
    context = {"today": today, "max_days": max_days(path.parent)}
    try:
        loaded = WaiverFile.model_validate(raw, context=context)
    except ValidationError as exc:
        raise SpecErrors(_tenant_errors(exc, raw, source, shown)) from None
    if loaded.tenant_id != tenant_id:
        raise SpecErrors(
            [SpecError(shown, line_of(source, ("tenant_id",)), "tenant_id", f"must equal the file name ({tenant_id!r})")]
        )
    return [
        LoadedWaiver(i, w, shown, line_of(source, ("waivers", i))) for i, w in enumerate(loaded.waivers)
    ]
