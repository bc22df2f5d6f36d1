"""The engineer's day page on a phone-sized viewport."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from dispatch.domain import TicketStatus, Visit
from dispatch.services.publishing import publish_plan
from dispatch.services.tickets import report_status
from dispatch.store.repository import PlanRepository, TicketRepository
from dispatch.store.users import Role
from tests.pages.conftest import DAY, XSS, LogIn, World


def _engineer_with_stops(world: World, skip: str | None = None) -> tuple[str, list[int]]:
    for route in world.published.routes:
        today = [s.ticket_id for s in route.stops if s.arrival.date() == DAY]
        if len(today) >= 2 and route.engineer_id != skip:
            return route.engineer_id, today
    raise AssertionError("no engineer has two stops today")


def test_engineer_marks_a_stop_en_route_then_on_site(world: World, log_in: LogIn) -> None:
    engineer, stops = _engineer_with_stops(world, skip=world.engineer_of(world.xss_ticket))
    page = log_in(world.token(Role.ENGINEER, engineer_id=engineer), phone=True)
    page.goto(f"{world.base}/engineers/{engineer}/day?date={DAY}")
    stop = page.locator(f"li.stop[data-ticket='{stops[0]}']")
    expect(stop.locator(".when")).to_contain_text("ETA")
    stop.get_by_role("button", name="En route").click()
    stop = page.locator(f"li.stop[data-ticket='{stops[0]}']")
    stop.get_by_role("button", name="On site").click()
    expect(page.locator(f"li.stop[data-ticket='{stops[0]}'] .status")).to_have_text(
        "status: on_site"
    )
    with world.factory() as session:
        assert TicketRepository(session).get(stops[0]).status is TicketStatus.ON_SITE


def test_a_ticket_changed_meanwhile_is_refused_with_a_message(world: World, log_in: LogIn) -> None:
    engineer, stops = _engineer_with_stops(world)
    page = log_in(world.token(Role.ENGINEER, engineer_id=engineer), phone=True)
    page.goto(f"{world.base}/engineers/{engineer}/day?date={DAY}")
    last = stops[-1]
    with world.factory() as session:
        version = TicketRepository(session).get(last).version
        report_status(session, last, TicketStatus.EN_ROUTE, expected_version=version, at=None)
        session.commit()
    page.locator(f"li.stop[data-ticket='{last}']").get_by_role("button", name="En route").click()
    expect(page.locator("#message")).to_contain_text(f"Ticket {last} changed meanwhile")


def test_the_xss_customer_renders_as_text_on_the_phone(world: World, log_in: LogIn) -> None:
    engineer = world.engineer_of(world.xss_ticket)
    page = log_in(world.token(Role.ENGINEER, engineer_id=engineer), phone=True)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.goto(f"{world.base}/engineers/{engineer}/day?date={DAY}")
    stop = page.locator(f"li.stop[data-ticket='{world.xss_ticket}']")
    expect(stop.locator(".customer")).to_have_text(XSS)
    assert page.locator("img[src=x]").count() == 0 and dialogs == []


def test_after_a_replan_is_published_the_page_lists_what_changed(
    world: World, log_in: LogIn
) -> None:
    used = {_engineer_with_stops(world)[0], world.engineer_of(world.xss_ticket)}
    used.add(_engineer_with_stops(world, skip=world.engineer_of(world.xss_ticket))[0])
    route = next(
        r for r in world.published.routes if r.engineer_id not in used and len(r.stops) >= 2
    )
    page = log_in(world.token(Role.ENGINEER, engineer_id=route.engineer_id), phone=True)
    page.goto(f"{world.base}/engineers/{route.engineer_id}/day?date={DAY}")
    expect(page.locator("#changes")).to_have_count(0)
    later = timedelta(minutes=40)
    visits = [
        Visit(
            s.ticket_id,
            route.engineer_id,
            s.sequence,
            s.arrival + later,
            s.departure + later,
            s.deadline,
            s.travel_minutes,
            s.travel_km,
        )
        for s in route.stops
    ]
    with world.factory() as session:
        plan = PlanRepository(session).add([route.office], DAY, visits=visits)
        publish_plan(session, plan.id)
        session.commit()
    page.reload()
    changes = page.locator("#changes")
    expect(changes).to_contain_text(f"plan {world.published.plan_id} → {plan.id}")
    expect(changes).to_contain_text(f"ETA of #{route.stops[0].ticket_id} +40 min")
