"""What the agenda hands to the attendance entry when a citizen came: who, with whom, where and
when, so the clerk types only the procedures and the CID. Plain data carried by the bus signal
`attendance_requested`; the main window opens the entry page with it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AttendanceDraft:
    unit_cnes: str
    professional_id: uuid.UUID
    cbo: str
    day: date
    citizen_id: uuid.UUID
    appointment_id: uuid.UUID | None = None

    @property
    def bond(self) -> str:
        """The entry form's professional choice: "professional id|CBO"."""
        return f"{self.professional_id}|{self.cbo}"
