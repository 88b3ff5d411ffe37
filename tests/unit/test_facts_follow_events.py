"""The report facts are kept by their event handler alone: after any sequence of actions,
device type changes, school moves and deactivations they equal a rebuild from scratch."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from campus.admin.services import (
    save_school,
    set_l1_unresolvable_categories,
    set_user_active,
    system_actor,
)
from campus.devices.services import save_device
from campus.exceptions import DomainError
from campus.extensions import db
from campus.models import Category, Device, DeviceType, Impact, School, Ticket, TicketStatus
from campus.reports.facts import rebuild_facts
from campus.tickets import services
from campus.tickets.filing import report_ticket
from campus.tickets.housekeeping import close_stale
from campus.tickets.transitions import available_actions
from campus.tickets.workflow import Action
from campus.unit_of_work import work
from tests.tickets_helpers import ANALYSIS
from tests.unit.test_report_queries import facts_match_a_rebuild

BERLIN = ZoneInfo("Europe/Berlin")


def _take(action, actor, ticket, rng, world, now):
    """One user action with plausible arguments, through the real service."""
    text = f"{action.value} {rng.randint(1, 999)}"
    if action == Action.CLAIM:
        return services.claim(actor, ticket, now=now)
    if action == Action.CONFIRM:
        return services.confirm(actor, ticket, now=now)
    if action == Action.ASSIGN:
        people = [world.manager, world.colleague] if ticket.level == 1 else [world.system_house]
        return services.assign(actor, ticket, rng.choice(people), now=now)
    if action == Action.ESCALATE:
        return services.escalate(actor, ticket, ANALYSIS, now=now)
    if action == Action.RESOLVE:
        return services.resolve(actor, ticket, text, l1_capable=rng.random() < 0.5, now=now)
    run = {
        Action.REPLY: services.reply,
        Action.NOTE: services.note,
        Action.WAIT: services.wait,
        Action.RETURN: services.return_to_level1,
        Action.REOPEN: services.reopen,
        Action.CANCEL: services.cancel,
    }[action]
    return run(actor, ticket, text, now=now)


def _move_school(school: School, campus_id: int) -> None:
    save_school(
        system_actor(),
        name=school.name,
        short_name=school.short_name,
        school_number=school.school_number,
        address=school.address,
        campus_id=campus_id,
        school=school,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_facts_equal_a_rebuild_after_random_work(world, seed):
    rng = random.Random(seed)
    now = datetime(2026, 3, 2, 8, tzinfo=BERLIN)  # across the change to summer time
    schools = [world.teacher.school, world.far_teacher.school]
    campuses = sorted({s.campus_id for s in schools})
    with work():
        devices = [
            save_device(
                system_actor(),
                school,
                type=rng.choice(list(DeviceType)),
                inventory_number=f"INV-{seed}-{n}",
            )
            for n, school in enumerate(schools * 3)
        ]
    people = [
        world.teacher,
        world.other_teacher,
        world.far_teacher,
        world.manager,
        world.colleague,
        world.far_manager,
        world.system_house,
        world.system_house2,
    ]
    done = {"actions": 0, "device": 0, "move": 0, "settings": 0, "deactivate": 0}
    for step in range(160):
        now += timedelta(minutes=rng.randint(5, 60 * 20))
        roll = rng.random()
        with work():
            if roll < 0.25:
                teacher = rng.choice([world.teacher, world.other_teacher, world.far_teacher])
                mine = [d for d in devices if d.school_id == teacher.school_id]
                report_ticket(
                    teacher,
                    title=f"Störung {step}",
                    description="Geht nicht.",
                    category=rng.choice(list(Category)),
                    impact=rng.choice(list(Impact)),
                    device_id=rng.choice(mine).id if mine and rng.random() < 0.7 else None,
                    now=now,
                )
            elif roll < 0.85:
                tickets = db.session.scalars(
                    select(Ticket).where(Ticket.status != TicketStatus.CANCELLED)
                ).all()
                ticket = rng.choice(tickets) if tickets else None
                choices = [
                    (action, actor)
                    for actor in people
                    for action in (available_actions(actor, ticket, now) if ticket else [])
                ]
                if choices:
                    action, actor = rng.choice(choices)
                    try:
                        _take(action, actor, ticket, rng, world, now)
                        done["actions"] += 1
                    except DomainError:  # e.g. nobody left to assign: refused, fine
                        pass
            elif roll < 0.91:
                device = rng.choice(devices)
                save_device(
                    system_actor(),
                    device.school,
                    type=rng.choice([t for t in DeviceType if t != device.type]),
                    inventory_number=device.inventory_number,
                    device=device,
                )
                done["device"] += 1
            elif roll < 0.95:
                school = rng.choice(schools)
                _move_school(school, rng.choice([c for c in campuses if c != school.campus_id]))
                done["move"] += 1
            elif roll < 0.97:
                set_l1_unresolvable_categories(
                    system_actor(), rng.sample([c.value for c in Category], rng.randint(0, 2))
                )
                done["settings"] += 1
            elif roll < 0.99:
                manager = rng.choice([world.manager, world.colleague])
                set_user_active(system_actor(), manager, not manager.active)
                done["deactivate"] += 1
            else:
                close_stale(now)
        if step % 40 == 39:
            assert facts_match_a_rebuild(), f"after step {step} ({done})"
            db.session.commit()
    assert done["actions"] > 40 and done["device"] and done["move"], done
    assert facts_match_a_rebuild(), done
    db.session.rollback()
    assert db.session.scalar(select(Device.id).limit(1)) is not None


def test_rebuild_reads_every_ticket(world):
    world.ticket("resolved")
    world.ticket("escalated")
    assert rebuild_facts() == 2
