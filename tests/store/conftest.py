"""Reference data most store tests need: one office with one engineer."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dispatch.domain import Engineer, Office
from dispatch.store.repository import EngineerRepository, OfficeRepository
from tests.store import builders


@pytest.fixture
def office(session: Session) -> Office:
    return OfficeRepository(session).upsert(builders.office())


@pytest.fixture
def engineer(session: Session, office: Office) -> Engineer:
    return EngineerRepository(session).upsert(builders.engineer(office_code=office.code))
