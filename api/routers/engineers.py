"""``/api/v1/engineers/{id}/route``: an engineer's published stops of a day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep, UnitOfWorkDep, UserDep
from api.problems import problem_responses
from api.query import KnownQueryOnly
from api.rendered import rendered
from api.schemas import Day, RouteOut, StopOut
from dispatch.services import directory
from dispatch.services.auth import require_engineer
from dispatch.services.board import changes_since, route_stops
from dispatch.services.plan_diff import RouteChanges
from dispatch.store.users import User

router = APIRouter(prefix="/engineers", tags=["routes"], dependencies=[KnownQueryOnly])
EngineerId = Annotated[str, Path(min_length=1, max_length=32)]


@router.get(
    "/{engineer_id}/route",
    response_model=RouteOut,
    responses=problem_responses(
        401, 403, 404, 422, s304={"description": "Not modified: the ETag is in If-None-Match"}
    ),
)
def get_route(
    engineer_id: EngineerId,
    day: Annotated[Day, Query(alias="date")],
    unit_of_work: UnitOfWorkDep,
    user: UserDep,
    if_none_match: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Stops in order with ETAs, deadlines, customer, address, product, fault, navigation.

    Times carry the engineer's office offset (``+08:00``): what the engineer's clock says.

    Only published plans are shown. An engineer may read only their own route.

    The ``ETag`` is a digest of the answer: send it back in ``If-None-Match`` to get a
    bodiless 304 while the route is unchanged.
    """
    with unit_of_work() as session:
        return rendered(_route(session, engineer_id, day, user), if_none_match)


def _route(session: Session, engineer_id: str, day: date, user: User) -> RouteOut:
    engineer = directory.engineer(session, engineer_id)
    require_engineer(user, engineer.id, engineer.office_code)
    plan_id, stops = route_stops(session, engineer.id, day)
    return RouteOut(
        engineer_id=engineer.id,
        engineer_name=engineer.name,
        date=day,
        plan_id=plan_id,
        stops=[StopOut.model_validate(stop) for stop in stops],
    )


@router.get("/{engineer_id}/route/changes", responses=problem_responses(401, 403, 404, 422))
def get_route_changes(
    engineer_id: EngineerId,
    day: Annotated[Day, Query(alias="date")],
    session: SessionDep,
    user: UserDep,
    since: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> RouteChanges:
    """What changed on the published route since version ``since`` (the ``plan_id`` of
    the route last fetched): stops added, removed, moved in order, and ETAs shifted by
    more than 15 minutes. Without ``since`` every stop counts as added."""
    engineer = directory.engineer(session, engineer_id)
    require_engineer(user, engineer.id, engineer.office_code)
    return changes_since(session, engineer.id, day, since)
