"""Load the fixture organisation and a generated day of calls into the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dispatch.services.intake import Intake
from dispatch.store.repository import EngineerRepository, OfficeRepository, TicketRepository
from fixtures.generator import generate_day, generate_month
from fixtures.organisation import ENGINEERS, OFFICES


@dataclass(frozen=True, slots=True)
class SeedReport:
    offices: int
    engineers: int
    tickets_added: int
    tickets_already_there: int


def seed(session: Session, *, scenario: str, day: date, seed: int) -> SeedReport:
    """Upsert the 15 offices and 16 engineers, then register the day's generated calls
    (``month``: four weeks of calls from ``day`` on).

    Idempotent: every generated call carries a stable ``source_ref``, so seeding the
    same scenario, day and seed again adds nothing. The engineers' product lines are
    read once for the whole day of calls, after the engineers are upserted.
    """
    offices = OfficeRepository(session)
    for office in OFFICES:
        offices.upsert(office)
    engineers = EngineerRepository(session)
    for engineer in ENGINEERS:
        engineers.upsert(engineer)
    tickets = TicketRepository(session)
    intake = Intake(session)
    added = existing = 0
    drafts = generate_month(day, seed) if scenario == "month" else generate_day(scenario, day, seed)
    for draft in drafts:
        ref = draft.source_ref
        if ref is not None and tickets.get_by_source_ref(ref) is not None:
            existing += 1
            continue
        intake.register(draft)
        added += 1
    return SeedReport(len(OFFICES), len(ENGINEERS), added, existing)
