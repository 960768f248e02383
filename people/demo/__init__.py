"""Demo data for `seed_demo`: the ordered seeding steps, and the people app's own steps.

A later app adds its demo content by defining `<app>/demo.py` with a step::

    from people.demo import SeedContext, seed_step

    @seed_step
    def seed_courses(ctx: SeedContext) -> None:
        ...  # idempotent; ctx.scale, ctx.school_ids, ctx.log

`run_seed` imports every installed app's `demo` module, so steps run in INSTALLED_APPS
order (people first, then cms, courses, casebank, certification) and, within an app, in the
order they are defined. Every step must be safe to run again and must not write per row.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from people.models import User

from .copy import analyze
from .generate import DEFAULT_SCALE, SCALES, Scale, scale_schools, scale_teachers
from .write import (
    DEFAULT_CHUNK_SIZE,
    DEMO_PASSWORD,
    AccountRow,
    demo_account_rows,
    demo_accounts_ensure,
    demo_schools_create,
    demo_teachers_create,
    format_table,
)

__all__ = [
    "DEFAULT_SCALE",
    "DEMO_PASSWORD",
    "SCALES",
    "SEED_STEPS",
    "AccountRow",
    "Scale",
    "SeedContext",
    "demo_account_rows",
    "format_table",
    "run_seed",
    "seed_step",
]


@dataclass
class SeedContext:
    """What the steps of one run share: the scale, a logger, and what earlier steps made."""

    scale: Scale
    log: Callable[[str], None] = lambda _line: None
    chunk_size: int = DEFAULT_CHUNK_SIZE
    school_ids: dict[str, int] = field(default_factory=dict)  # by school code
    first_school_id: int | None = None  # the school the demo accounts belong to
    stats: dict[str, int] = field(default_factory=dict)
    accounts: list[AccountRow] = field(default_factory=list)


SeedStep = Callable[[SeedContext], None]
SEED_STEPS: list[SeedStep] = []


def seed_step(step: SeedStep) -> SeedStep:
    """Register a step to run on every `seed_demo`, after the ones registered before it."""
    if step not in SEED_STEPS:
        SEED_STEPS.append(step)
    return step


def run_seed(
    scale: Scale,
    *,
    log: Callable[[str], None] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> SeedContext:
    autodiscover_modules("demo")
    ctx = SeedContext(scale=scale, chunk_size=chunk_size)
    if log is not None:
        ctx.log = log
    for step in list(SEED_STEPS):
        started = time.monotonic()
        step(ctx)
        ctx.log(
            _("Step %(step)s: %(seconds).1f s")
            % {"step": step.__name__, "seconds": time.monotonic() - started}
        )
    return ctx


@seed_step
def seed_schools(ctx: SeedContext) -> None:
    specs = scale_schools(ctx.scale)
    ctx.school_ids, created = demo_schools_create(specs=specs)
    ctx.first_school_id = ctx.school_ids.get(specs[0].code) if specs else None
    ctx.stats.update(schools=len(specs), schools_created=created)


@seed_step
def seed_demo_accounts(ctx: SeedContext) -> None:
    created, reset = demo_accounts_ensure(school_id=ctx.first_school_id)
    ctx.accounts = demo_account_rows(check_passwords=False)
    ctx.stats.update(accounts_created=created, accounts_reset=reset)


@seed_step
def seed_teachers(ctx: SeedContext) -> None:
    total = ctx.scale.total_teachers
    started = time.monotonic()

    def progress(done: int, created: int) -> None:
        if total > ctx.chunk_size:
            ctx.log(
                _("Teachers: %(done)d / %(total)d (%(created)d new), %(seconds).1f s")
                % {
                    "done": done,
                    "total": total,
                    "created": created,
                    "seconds": time.monotonic() - started,
                }
            )

    created = demo_teachers_create(
        teachers=scale_teachers(ctx.scale),
        school_ids=ctx.school_ids,
        chunk_size=ctx.chunk_size,
        on_chunk=progress,
    )
    if created:
        analyze(User, User.groups.through)  # the later steps query them by the thousand
    ctx.stats.update(teachers=total, teachers_created=created)
