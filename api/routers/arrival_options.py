"""``/api/v1/tickets/{id}/options`` and ``/assign``: an arrival promise at intake."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from api.deps import SessionDep, UserDep
from api.problems import problem_responses
from api.query import KnownQueryOnly
from api.schemas import PlanOut
from api.schemas_options import AssignOut, AssignRequest, OptionOut, OptionsOut, OptionsRequest
from dispatch.services.arrival_options import arrival_options
from dispatch.services.assign_option import assign_option
from dispatch.services.auth import require_office, require_role
from dispatch.services.tickets import ticket
from dispatch.store.users import Role

router = APIRouter(prefix="/tickets", tags=["tickets"], dependencies=[KnownQueryOnly])
TicketId = Annotated[int, Path(ge=1, le=2**31 - 1)]
INTAKE_ROLES = (Role.DISPATCHER, Role.EMERGENCY)
ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 422)


@router.post("/{ticket_id}/options", responses=ERRORS)
def options(
    ticket_id: TicketId,
    session: SessionDep,
    user: UserDep,
    body: Annotated[OptionsRequest | None, Body()] = None,
) -> OptionsOut:
    """The best ways to fit an awaiting call into its office's current published plan.

    Each option gives the engineer, the ETA, whether the deadline is met, and whose stops
    would move or become late. Ranked by the planner's objective; nothing is stored.
    404 without a published plan; 409 when the call is not awaiting dispatch or is
    already routed.
    """
    require_role(user, *INTAKE_ROLES)
    wanted = body or OptionsRequest()
    require_office(user, ticket(session, ticket_id).office_code)
    report = arrival_options(session, ticket_id, day=wanted.date, count=wanted.count)
    return OptionsOut.of(report)


@router.post("/{ticket_id}/assign", status_code=201, responses=ERRORS)
def assign(
    ticket_id: TicketId,
    body: AssignRequest,
    session: SessionDep,
    user: UserDep,
    response: Response,
) -> AssignOut:
    """Take one option: a new plan version, the published one plus that insertion.

    409 when the plan is no longer the current published one or the option no longer
    fits; publish the new version to dispatch the call.
    """
    require_role(user, *INTAKE_ROLES)
    require_office(user, ticket(session, ticket_id).office_code)
    plan, option = assign_option(session, ticket_id, plan_id=body.plan_id, key=body.option)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return AssignOut(plan=PlanOut.model_validate(plan), option=OptionOut.of(option))
