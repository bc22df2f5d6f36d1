"""Offices and engineers round-trip through the store unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest
from sqlalchemy.orm import Session

from dispatch.domain import EngineerStatus, Office
from dispatch.errors import NotFoundError
from dispatch.store.repository import EngineerRepository, OfficeRepository
from tests.store import builders


def test_office_round_trips_with_its_calendar(session: Session) -> None:
    office = builders.office()
    OfficeRepository(session).upsert(office)
    session.commit()
    session.expunge_all()

    assert OfficeRepository(session).get("BJ") == office


def test_office_upsert_overwrites(session: Session, office: Office) -> None:
    changed = replace(office, name="Beijing HQ", calendar=replace(office.calendar, closes=time(17)))
    repository = OfficeRepository(session)

    repository.upsert(changed)

    assert repository.get(office.code) == changed
    assert len(repository.list()) == 1


def test_offices_are_listed_by_code(session: Session) -> None:
    repository = OfficeRepository(session)
    for code in ("SH", "BJ", "GZ"):
        repository.upsert(builders.office(code))

    assert [office.code for office in repository.list()] == ["BJ", "GZ", "SH"]


def test_unknown_office_is_not_found(session: Session) -> None:
    with pytest.raises(NotFoundError) as raised:
        OfficeRepository(session).get("XX")
    assert raised.value.kind == "office" and raised.value.key == "XX"


def test_engineer_round_trips(session: Session, office: Office) -> None:
    engineer = builders.engineer(status=EngineerStatus.ON_SITE)
    EngineerRepository(session).upsert(engineer)
    session.commit()
    session.expunge_all()

    assert EngineerRepository(session).get("E01") == engineer


def test_engineer_without_location(session: Session, office: Office) -> None:
    engineer = builders.engineer(location=None)
    EngineerRepository(session).upsert(engineer)

    assert EngineerRepository(session).get("E01").location is None


def test_engineer_upsert_overwrites(session: Session, office: Office) -> None:
    repository = EngineerRepository(session)
    repository.upsert(builders.engineer())

    repository.upsert(builders.engineer(skills=frozenset({"ups"})))

    assert repository.get("E01").skills == {"ups"}


def test_engineers_are_listed_by_id_and_filtered_by_office(
    session: Session, office: Office
) -> None:
    OfficeRepository(session).upsert(builders.office("SH"))
    repository = EngineerRepository(session)
    for engineer_id, code in (("E03", "BJ"), ("E01", "SH"), ("E02", "BJ")):
        repository.upsert(builders.engineer(engineer_id, office_code=code))

    assert [e.id for e in repository.list()] == ["E01", "E02", "E03"]
    assert [e.id for e in repository.list(office_code="BJ")] == ["E02", "E03"]


def test_engineer_of_unknown_office_is_refused(session: Session) -> None:
    with pytest.raises(NotFoundError):
        EngineerRepository(session).upsert(builders.engineer(office_code="XX"))


def test_unknown_engineer_is_not_found(session: Session) -> None:
    with pytest.raises(NotFoundError):
        EngineerRepository(session).get("nobody")
