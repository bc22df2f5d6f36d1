"""The figures a replay reports for an office, a day or the whole period.

On time per rule and lateness count the calls served (reached) in the period, by the
office of the call; travel, on-site hours, overtime and utilisation count the engineers'
planning days, by the engineer's office, from the plan's per-engineer day figures
(``dispatch.services.kpis``: utilisation is worked time over the shift less lunch).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dispatch.domain import Visit


@dataclass(slots=True)
class Figures:
    on_time: Counter[str] = field(default_factory=Counter)
    late: Counter[str] = field(default_factory=Counter)
    late_minutes: int = 0
    worst_late_minutes: int = 0
    travel_km: float = 0.0
    travel_hours: float = 0.0
    onsite_hours: float = 0.0
    overtime_minutes: float = 0.0
    shift_hours: float = 0.0
    engineer_days: int = 0

    def add_visit(self, rule: str, visit: Visit) -> None:
        (self.on_time if visit.on_time else self.late)[rule] += 1
        self.late_minutes += visit.minutes_late
        self.worst_late_minutes = max(self.worst_late_minutes, visit.minutes_late)
        self.travel_km += visit.travel_km

    def add_engineer_day(self, day: dict[str, Any]) -> None:
        """One engineer's planning-day figures from a plan's KPIs.

        The shift is what the day's log implies: worked time plus the admin (D) rest,
        less the overtime (D is zero on a day with overtime).
        """
        travel, onsite = float(day.get("travel_hours", 0.0)), float(day.get("onsite_hours", 0.0))
        overtime = float(day.get("overtime_minutes", 0.0))
        by_kind = day.get("hours_by_kind", {})
        admin = float(by_kind.get("D", 0.0)) if isinstance(by_kind, dict) else 0.0
        self.travel_hours += travel
        self.onsite_hours += onsite
        self.overtime_minutes += overtime
        self.shift_hours += travel + onsite + admin - overtime / 60.0
        self.engineer_days += 1

    def merge(self, other: Figures) -> None:
        self.on_time.update(other.on_time)
        self.late.update(other.late)
        self.late_minutes += other.late_minutes
        self.worst_late_minutes = max(self.worst_late_minutes, other.worst_late_minutes)
        self.travel_km += other.travel_km
        self.travel_hours += other.travel_hours
        self.onsite_hours += other.onsite_hours
        self.overtime_minutes += other.overtime_minutes
        self.shift_hours += other.shift_hours
        self.engineer_days += other.engineer_days

    @property
    def served(self) -> int:
        return sum(self.on_time.values()) + sum(self.late.values())

    def on_time_rate(self, rule: str | None = None) -> float | None:
        """Share of the served calls (of one rule) reached by their deadline."""
        on_time = self.on_time[rule] if rule else sum(self.on_time.values())
        late = self.late[rule] if rule else sum(self.late.values())
        return round(on_time / (on_time + late), 4) if on_time + late else None

    def as_dict(self) -> dict[str, Any]:
        rules = sorted(set(self.on_time) | set(self.late))
        worked = self.travel_hours + self.onsite_hours
        return {
            "served": self.served,
            "on_time_rate": self.on_time_rate(),
            "on_time_by_rule": {
                rule: {
                    "on_time": self.on_time[rule],
                    "late": self.late[rule],
                    "rate": self.on_time_rate(rule),
                }
                for rule in rules
            },
            "late_minutes": self.late_minutes,
            "worst_late_minutes": self.worst_late_minutes,
            "travel_km": round(self.travel_km, 1),
            "travel_hours": round(self.travel_hours, 1),
            "onsite_hours": round(self.onsite_hours, 1),
            "overtime_minutes": round(self.overtime_minutes),
            "utilisation": round(worked / self.shift_hours, 3) if self.shift_hours else None,
            "engineer_days": self.engineer_days,
        }
