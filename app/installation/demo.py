"""The demo: a fictional secretariat with synthetic but valid data and one account per role.

`saude-municipal --demo` (and `make run`) call `create_demo` on an empty database. Every person is
invented; identifiers pass the official check-digit routines but belong to nobody. The
municipality code is the real IBGE code of Santa Lúcia/PR so addresses validate; the secretariat,
its units, professionals and citizens are fictional.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.care import agendas, appointments
from app.care.agenda_queries import day_agenda, timezone_of
from app.care.agenda_rules import TemplateInput, WaitingPriority
from app.care.attendance_rules import age_on, competence_of
from app.care.attendances import (
    AttendanceInput,
    ProcedureInput,
    close_competence,
    record_attendance,
)
from app.clock import Clock
from app.db.session import Database
from app.installation.models import NodeKind
from app.installation.service import SetupInput, complete_setup
from app.installation.synthetic import UniqueDraw, citizen_rows, person_name
from app.reference.cid10 import load_cid10
from app.reference.models import ReferenceKind
from app.reference.sigtap_sample import import_sample_sigtap
from app.reference.versions import active_version_id
from app.registry.enums import Sex, UnitKind
from app.registry.models import Citizen, ProfessionalBond
from app.registry.units import create_district, create_professional, create_unit
from app.sanitary.demo import seed_sanitary
from app.security.accounts import AccountInput, create_account
from app.security.actor import SYSTEM
from app.security.roles_seed import ensure_default_roles

DEMO_IBGE = "4123824"
DEMO_UNIT = "7654321"

# (username, password, role, what it shows) — listed in the README.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("admin", "admin2026", "Administrador", "tudo, inclusive contas, perfis e auditoria"),
    ("recepcao", "recepcao2026", "Recepção", "cadastro de cidadãos e impressão de fichas"),
    ("faturamento", "faturamento2026", "Faturamento", "produção, fechamento da competência e BPA"),
    ("consulta", "consulta2026", "Consulta", "somente consulta ao cadastro"),
    ("auditor", "auditor2026", "Auditor", "trilha de auditoria e verificação de documentos"),
    ("fiscal", "fiscal2026", "Fiscal sanitário", "inspeções, termos e autos da VISA"),
    ("visa", "visa2026", "Coordenação da VISA", "planejamento, processos, licenças e denúncias"),
)

DISTRICTS = (
    "Centro",
    "Vila Nova",
    "Jardim das Acácias",
    "São Cristóvão",
    "Alto da Colina",
    "Parque Industrial",
    "Vila Rural Esperança",
    "Conjunto Habitacional Sol Nascente",
)

UNITS = (
    (DEMO_UNIT, "UBS Centro", UnitKind.UBS),
    ("7654348", "UBS Vila Nova", UnitKind.UBS),
    ("7654356", "UBS Jardim das Acácias", UnitKind.UBS),
    ("7654364", "Centro de Especialidades Municipal", UnitKind.SPECIALTY),
    ("7654372", "Vigilância em Saúde", UnitKind.SURVEILLANCE),
)

OCCUPATIONS = (
    ("225142", "Médico da estratégia de saúde da família"),
    ("223565", "Enfermeiro da estratégia de saúde da família"),
    ("322245", "Técnico de enfermagem da estratégia de saúde da família"),
    ("223208", "Cirurgião dentista - clínico geral"),
    ("515105", "Agente comunitário de saúde"),
)


@dataclass(frozen=True)
class DemoSummary:
    node_id: str
    citizens: int
    units: int
    professionals: int


def create_demo(db: Database, *, citizens: int = 3000, seed: int = 2026) -> DemoSummary:
    """Fill an empty database with the demo secretariat (one transaction)."""
    rng = random.Random(seed)
    with db.unit_of_work("sistema") as session:
        node_id = complete_setup(session, _setup_input())
        db.node_id = node_id
        roles = ensure_default_roles(session)
        _reference_tables(session, db.clock)
        for username, password, role, _ in DEMO_ACCOUNTS[1:]:
            create_account(
                session,
                SYSTEM,
                AccountInput(
                    username=username,
                    full_name=f"Conta de demonstração ({role})",
                    password=password,
                    role_ids=[roles[role]],
                    unit_restriction=[],
                    must_change_password=False,
                ),
            )
        districts = [create_district(session, SYSTEM, name) for name in DISTRICTS]
        for cnes, name, kind in UNITS:
            create_unit(session, SYSTEM, cnes=cnes, name=name, kind=kind)
        professionals = _professionals(session, rng)
        rows = citizen_rows(
            rng,
            citizens,
            today=db.clock.now().date(),
            district_ids=districts,
            unit_cnes=[cnes for cnes, _, kind in UNITS if kind is UnitKind.UBS],
            municipality_ibge=DEMO_IBGE,
            node_id=node_id,
        )
        batch = list(rows)
        if batch:  # an empty executemany would insert one row of defaults
            session.execute(insert(Citizen), batch)
        _agendas(session, rng, db.clock.now(), [row["id"] for row in batch])
        _attendances(session, rng, db.clock.now(), batch)
        seed_sanitary(session, rng)
    return DemoSummary(node_id, citizens, len(UNITS), professionals)


def _setup_input() -> SetupInput:
    admin = DEMO_ACCOUNTS[0]
    return SetupInput(
        municipality_name="Santa Lúcia (demonstração)",
        uf="PR",
        ibge_code=DEMO_IBGE,
        timezone="America/Sao_Paulo",
        installation_name="Secretaria — sede (demonstração)",
        kind=NodeKind.HUB,
        unit_cnes="",
        admin_username=admin[0],
        admin_full_name="Administradora de Demonstração",
        admin_password=admin[1],
    )


SAMPLE_SIGTAP_MONTHS = 4  # the current competence and the three before it, side by side


def _reference_tables(session: Session, clock: Clock) -> None:
    """CID-10 (the bundled DATASUS files) and the ILLUSTRATIVE SIGTAP sample for recent months.

    The SIGTAP zips are the sample of `app.reference.sigtap_sample` (a few real primary-care
    codes, not the official table), written to a temporary folder and imported as any zip is.
    """
    if active_version_id(session, ReferenceKind.CID10) is None:
        load_cid10(session)
    month = clock.now().astimezone(timezone_of(session)).date().replace(day=1)
    with tempfile.TemporaryDirectory(prefix="sigtap-demo-") as folder:
        for _ in range(SAMPLE_SIGTAP_MONTHS):
            import_sample_sigtap(session, Path(folder), f"{month:%Y%m}")
            month = (month - timedelta(days=1)).replace(day=1)


def _professionals(session: Session, rng: random.Random) -> int:
    draw = UniqueDraw(rng)
    count = 0
    for cnes, _name, kind in UNITS:
        if kind is not UnitKind.UBS:
            continue
        for cbo, title in OCCUPATIONS:
            sex = Sex.FEMALE if rng.random() < 0.6 else Sex.MALE
            create_professional(
                session,
                SYSTEM,
                name=person_name(rng, sex),
                cns=draw.cns(),
                bonds=[(cnes, cbo, title)],
            )
            count += 1
    return count


# Weekly shifts of the demo agendas: (CBO, start, end, slot minutes, capacity, overbooking).
AGENDA_SHIFTS = (
    ("225142", time(7, 30), time(11, 30), 20, 1, 1),
    ("223565", time(13, 0), time(16, 0), 30, 1, 0),
    ("223208", time(7, 30), time(11, 0), 30, 1, 0),
)
AGENDA_DAYS = 10
BOOKED_SHARE = 0.45


def _agendas(
    session: Session, rng: random.Random, now: datetime, citizens: list[uuid.UUID]
) -> None:
    """Weekday agendas at UBS Centro for two weeks, with bookings and a short waiting list."""
    query = select(ProfessionalBond.professional_id, ProfessionalBond.cbo).where(
        ProfessionalBond.unit_cnes == DEMO_UNIT
    )
    bonds = {cbo: professional_id for professional_id, cbo in session.execute(query)}
    for cbo, start, end, minutes, capacity, extra in AGENDA_SHIFTS:
        for weekday in range(5):
            data = TemplateInput(str(bonds[cbo]), DEMO_UNIT, weekday, start, end, minutes,
                                 capacity, extra)  # fmt: skip
            agendas.create_template(session, SYSTEM, data)
    today = now.astimezone(timezone_of(session)).date()
    last = today + timedelta(days=AGENDA_DAYS - 1)
    agendas.generate_slots(session, SYSTEM, DEMO_UNIT, today, last)
    if citizens:
        _bookings(session, rng, now, [bonds[shift[0]] for shift in AGENDA_SHIFTS], citizens)


def _bookings(
    session: Session,
    rng: random.Random,
    now: datetime,
    professionals: list[uuid.UUID],
    citizens: list[uuid.UUID],
) -> None:
    people = rng.sample(citizens, min(len(citizens), 120))
    today = now.astimezone(timezone_of(session)).date()
    for offset in range(5):
        for professional in professionals:
            rows = day_agenda(session, SYSTEM, DEMO_UNIT, professional, today + timedelta(offset))
            for row in rows:
                if row.starts_at > now and people and rng.random() < BOOKED_SHARE:
                    appointments.book(session, SYSTEM, row.id, people.pop())
    for priority in (WaitingPriority.HIGH, WaitingPriority.NORMAL, WaitingPriority.NORMAL):
        if people:
            data = appointments.WaitingInput(
                people.pop(), DEMO_UNIT, professionals[0], "", priority
            )
            appointments.add_to_waiting_list(session, SYSTEM, data)


# --- production (atendimentos) --------------------------------------------------------------------

# CID-10 codes common in primary care, by professional, with who they may apply to:
# (code, sex "F"/"M"/"" for any, minimum age, maximum age). Checked by record_attendance anyway.
DOCTOR_CIDS = (
    ("J069", "", 0, 120), ("J069", "", 0, 120), ("I10", "", 30, 120), ("I10", "", 30, 120),
    ("E119", "", 35, 120), ("Z000", "", 0, 120), ("N390", "", 2, 120), ("K297", "", 12, 120),
    ("M545", "", 18, 120), ("F411", "", 15, 120),
)  # fmt: skip
NURSE_CIDS = (
    ("Z000", "", 0, 120), ("I10", "", 30, 120), ("E119", "", 35, 120), ("Z348", "F", 15, 45),
    ("Z124", "F", 25, 64),
)  # fmt: skip
DENTIST_CIDS = (("K021", "", 3, 120), ("K051", "", 6, 120), ("K040", "", 6, 120))
CONSULTA_MEDICA, CONSULTA_NS = "0301010064", "0301010030"
PRESSAO, GLICEMIA, COLETA = "0301100039", "0214010015", "0201020033"
# (CBO, weight): who attends; the technician only measures (pressure, capillary glucose).
ATTENDING = (("225142", 4), ("223565", 3), ("223208", 1), ("322245", 3))
# One attendance for every 15 citizens over the four months (200 with the default 3,000): enough
# to browse and print, and few enough that the demo stays quick (each one is fully validated, about
# 8 ms here); the UI tests' 300-citizen demo gets 20.
CITIZENS_PER_ATTENDANCE = 15
MAX_DEMO_ATTENDANCES = 400
PRODUCTION_MONTHS = 4  # the current month and the three before it (the SIGTAP sample's months)
CLOSED_MONTHS = 2  # the two oldest are closed


@dataclass(frozen=True)
class _Patient:
    id: uuid.UUID
    birth_date: date
    sex: Sex


def _attendances(
    session: Session, rng: random.Random, now: datetime, citizens: list[dict[str, Any]]
) -> None:
    """Attendances at the UBS on weekdays of the last months; the two oldest months closed."""
    if not citizens:  # the benchmark's empty demo: no production, no closing
        return
    today = now.astimezone(timezone_of(session)).date()
    first = today.replace(day=1)
    for _ in range(PRODUCTION_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    units = [cnes for cnes, _name, kind in UNITS if kind is UnitKind.UBS]
    bonds = _bonds(session, units)
    people: dict[str, list[_Patient]] = {cnes: [] for cnes in units}
    for row in citizens:
        people[row["unit_cnes"]].append(_Patient(row["id"], row["birth_date"], row["sex"]))
    weekdays = [first + timedelta(n) for n in range((today - first).days + 1)]
    weekdays = [day for day in weekdays if day.weekday() < 5]
    count = min(MAX_DEMO_ATTENDANCES, len(citizens) // CITIZENS_PER_ATTENDANCE)
    for day in sorted(rng.choice(weekdays) for _ in range(count if weekdays else 0)):
        cnes = rng.choice(units)
        data = _demo_attendance(rng, cnes, day, bonds[cnes], people[cnes])
        if data is not None:
            record_attendance(session, SYSTEM, data)
    for cnes in units:
        month = first
        for _ in range(CLOSED_MONTHS):
            close_competence(session, SYSTEM, cnes, competence_of(month))
            month = (month + timedelta(days=32)).replace(day=1)


def _bonds(session: Session, units: list[str]) -> dict[str, dict[str, uuid.UUID]]:
    query = select(
        ProfessionalBond.unit_cnes, ProfessionalBond.cbo, ProfessionalBond.professional_id
    ).where(ProfessionalBond.unit_cnes.in_(units))
    found: dict[str, dict[str, uuid.UUID]] = {cnes: {} for cnes in units}
    for cnes, cbo, professional_id in session.execute(query):
        found[cnes or ""][cbo] = professional_id
    return found


def _demo_attendance(
    rng: random.Random,
    cnes: str,
    day: date,
    bonds: dict[str, uuid.UUID],
    people: list[_Patient],
) -> AttendanceInput | None:
    """One plausible attendance of a citizen of the unit born before `day`, or None."""
    cbo = rng.choices([c for c, _ in ATTENDING], [w for _, w in ATTENDING])[0]
    citizen = rng.choice(people) if people else None
    if citizen is None or cbo not in bonds or citizen.birth_date > day:
        return None
    age = age_on(citizen.birth_date, day)
    sex = "F" if citizen.sex is Sex.FEMALE else "M"
    icd10, procedures = _what_was_done(rng, cbo, age, sex)
    return AttendanceInput(
        unit_cnes=cnes, professional_id=bonds[cbo], cbo=cbo,
        citizen_id=citizen.id, attended_on=day, icd10=icd10,
        procedures=tuple(ProcedureInput(code=code) for code in procedures),
    )  # fmt: skip


def _cid(rng: random.Random, options: tuple[tuple[str, str, int, int], ...], age: int,
         sex: str) -> str:  # fmt: skip
    fitting = [code for code, only, low, high in options
               if only in ("", sex) and low <= age <= high]  # fmt: skip
    return rng.choice(fitting) if fitting else ""


def _what_was_done(rng: random.Random, cbo: str, age: int, sex: str) -> tuple[str, list[str]]:
    """(CID-10, SIGTAP procedures) of one attendance by a professional of occupation `cbo`."""
    if cbo == "322245":  # nursing technician: pressure and/or capillary glucose, no diagnosis
        done = [PRESSAO] if rng.random() < 0.75 else []
        if not done or rng.random() < 0.3:
            done.append(GLICEMIA)
        return "", done
    if cbo == "223208":
        return _cid(rng, DENTIST_CIDS, age, sex), [CONSULTA_NS]
    doctor = cbo == "225142"
    icd10 = _cid(rng, DOCTOR_CIDS if doctor else NURSE_CIDS, age, sex)
    done = [CONSULTA_MEDICA if doctor else CONSULTA_NS]
    if icd10 == "Z124":
        done.append(COLETA)
    if icd10 == "I10" or (age >= 40 and rng.random() < 0.4):
        done.append(PRESSAO)
    if icd10 == "E119":
        done.append(GLICEMIA)
    return icd10, done
