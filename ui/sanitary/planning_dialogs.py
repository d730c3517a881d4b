"""The dialogs of the "Planejamento de inspeções" page: plan, reassign and cancel inspections.

"Programar inspeção" asks the date, the inspector and the reason for the establishments selected
in the due list; "Reatribuir inspeções" gives planned inspections to another inspector (and,
optionally, another date); "Cancelar inspeções programadas" requires the reason, which stays on
the record. Each runs its service in `ctx.ops` and announces the change as `INSPECTION`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from app.sanitary import planning as svc
from app.sanitary.enums import InspectionReason
from app.sanitary.inspectors import InspectorRow
from ui.admin import ServiceDialog
from ui.context import AppContext
from ui.sanitary.planning_models import INSPECTION, fill_combo
from ui.widgets.fields import DateField

CANCEL_REASONS = (
    "Estabelecimento fechado no dia da visita",
    "Fiscal indisponível",
    "Reprogramação da equipe",
    "Estabelecimento baixado ou mudou de endereço",
)


def _inspector_combo(inspectors: Sequence[InspectorRow], everything: str = "") -> QComboBox:
    combo = QComboBox()
    items = [(f"{row.label} — {row.team}" if row.team else row.label, row.id) for row in inspectors]
    fill_combo(combo, everything, items)
    return combo


class PlanDialog(ServiceDialog):
    """ "Programar inspeção": date, inspector and reason for the chosen establishments."""

    changed_kind = INSPECTION

    def __init__(
        self,
        ctx: AppContext,
        rows: Sequence[svc.DueRow],
        inspectors: Sequence[InspectorRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("plan_dialog")
        self.rows = list(rows)
        self.setWindowTitle(self.tr("Programar inspeção"))
        self.save_button.setText(self.tr("&Programar"))
        intro = QLabel(self._intro())
        intro.setWordWrap(True)
        intro.setObjectName("plan_intro")
        self._build_fields(inspectors)
        self._assemble()
        self.layout().insertWidget(0, intro)
        self.setMinimumWidth(560)

    def _intro(self) -> str:
        names = [row.name for row in self.rows]
        shown = ", ".join(names[:6]) + (f" e mais {len(names) - 6}" if len(names) > 6 else "")
        count = len(names)
        head = self.tr("{count} estabelecimento(s) selecionado(s):").format(count=count)
        return f"{head} {shown}."

    def _build_fields(self, inspectors: Sequence[InspectorRow]) -> None:
        self.due_on = DateField("due_on")
        self.due_on.set_value(self.ctx.today())
        self.inspector = _inspector_combo(inspectors, self.tr("— escolha o fiscal —"))
        teams = {row.team for row in self.rows}
        match = next((i for i in inspectors if len(teams) == 1 and i.team in teams), None)
        if match is not None:
            self.inspector.setCurrentIndex(self.inspector.findData(match.id))
        self.reason = QComboBox()
        for reason in InspectionReason:
            self.reason.addItem(reason.label, reason)
        self.form.add_field("due_on", self.tr("&Data:"), self.due_on)
        self.form.add_field("inspector_id", self.tr("&Fiscal:"), self.inspector)
        self.form.add_field("reason", self.tr("&Motivo:"), self.reason)

    def save(self) -> None:
        if self.due_on.validate():
            return
        ctx, due_on = self.ctx, self.due_on.value()
        ids = [row.establishment_id for row in self.rows]
        inspector_id, reason = self.inspector.currentData(), self.reason.currentData()

        def work() -> svc.Planned:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.plan_inspections(session, ctx.actor, ids, due_on, inspector_id, reason)

        self._run(work)


class ReassignDialog(ServiceDialog):
    """Give planned inspections to another inspector and, optionally, another date."""

    changed_kind = INSPECTION

    def __init__(
        self,
        ctx: AppContext,
        rows: Sequence[svc.WorkRow],
        inspectors: Sequence[InspectorRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("reassign_dialog")
        self.rows = list(rows)
        self.setWindowTitle(self.tr("Reatribuir inspeções"))
        self.save_button.setText(self.tr("&Reatribuir"))
        self.inspector = _inspector_combo(inspectors, self.tr("— escolha o fiscal —"))
        self.due_on = DateField("due_on")
        self.due_on.setPlaceholderText("")
        self.form.add_field("inspector_id", self.tr("&Fiscal:"), self.inspector)
        self.form.add_field("due_on", self.tr("Nova &data:"), self.due_on)
        hint = QLabel(self.tr("Deixe a data em branco para manter a de cada inspeção."))
        hint.setObjectName("hint")
        self.due_on.parentWidget().layout().addWidget(hint)
        self._assemble()
        intro = QLabel(self.tr("{count} inspeção(ões) selecionada(s).").format(count=len(rows)))
        self.layout().insertWidget(0, intro)
        self.setMinimumWidth(520)

    def save(self) -> None:
        if self.due_on.validate():
            return
        ctx, due_on = self.ctx, self.due_on.value()
        ids, inspector_id = [r.inspection_id for r in self.rows], self.inspector.currentData()

        def work() -> int:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.assign(session, ctx.actor, ids, inspector_id, due_on)

        self._run(work)


class CancelDialog(ServiceDialog):
    """Cancel planned inspections: the reason is required and stays on the record."""

    changed_kind = INSPECTION

    def __init__(
        self, ctx: AppContext, rows: Sequence[svc.WorkRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("cancel_dialog")
        self.rows = list(rows)
        self.setWindowTitle(self.tr("Cancelar inspeções programadas"))
        self.save_button.setText(self.tr("Cancelar &inspeção"))
        self.buttons.button(self.buttons.StandardButton.Cancel).setText(self.tr("&Voltar"))
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(list(CANCEL_REASONS))
        self.reason.setCurrentText("")
        self.form.add_field("reason", self.tr("&Motivo:"), self.reason)
        self._assemble()
        names = ", ".join(row.name for row in self.rows[:6])
        intro = QLabel(self.tr("Cancelar: {names}").format(names=names))
        intro.setWordWrap(True)
        self.layout().insertWidget(0, intro)
        self.setMinimumWidth(520)

    def save(self) -> None:
        ctx, reason = self.ctx, self.reason.currentText()
        ids = [row.inspection_id for row in self.rows]

        def work() -> int:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.cancel_planned(session, ctx.actor, ids, reason)

        self._run(work)
