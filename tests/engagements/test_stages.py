"""The pure flowchart rules: order, transitions, statuses."""

from workbench.engagements import stages
from workbench.engagements.stages import Blocker, GateRegistry, Stage, Status


def test_ten_stages_in_national_order():
    assert [s.value for s in stages.ORDER] == [
        "commission",
        "plan",
        "indicators",
        "fieldwork",
        "survey",
        "scoring",
        "report",
        "consultation",
        "bureau_review",
        "archive",
    ]
    assert stages.STAGE_NAMES[Stage.bureau_review] == "提交与审核"


def test_next_stage_skips_not_applicable():
    assert stages.next_stage(Stage.commission) == Stage.plan
    assert stages.next_stage(Stage.fieldwork, {Stage.survey}) == Stage.scoring
    assert stages.next_stage(Stage.archive) is None


def test_move_back_only_to_earlier_stages():
    assert stages.can_move_back(Stage.report, Stage.fieldwork)
    assert not stages.can_move_back(Stage.report, Stage.report)
    assert not stages.can_move_back(Stage.plan, Stage.report)


def test_flow_statuses_and_blockers_on_the_next_stage():
    flow = stages.build_flow(
        Stage.fieldwork, blockers=[Blocker("缺底稿")], not_applicable={Stage.survey}
    )
    status = {s.key: s.status for s in flow}
    assert status[Stage.commission] == Status.done
    assert status[Stage.indicators] == Status.done
    assert status[Stage.fieldwork] == Status.current
    assert status[Stage.survey] == Status.not_applicable
    assert status[Stage.scoring] == Status.todo  # the next stage is not marked blocked
    assert status[Stage.report] == Status.todo
    assert Status.blocked not in status.values()
    current = next(s for s in flow if s.status == Status.current)
    assert [b.text for b in current.blockers] == ["缺底稿"]  # what the current stage still needs
    assert all(not s.blockers for s in flow if s.status != Status.current)


def test_flow_without_blockers_marks_next_as_todo():
    flow = stages.build_flow(Stage.plan, blockers=[])
    assert [s.status for s in flow][:3] == [Status.done, Status.current, Status.todo]


def test_last_stage_carries_its_own_blockers_and_archived_is_all_done():
    flow = stages.build_flow(Stage.archive, blockers=[Blocker("档案不全")])
    assert flow[-1].status == Status.current and flow[-1].blockers[0].text == "档案不全"
    done = stages.build_flow(Stage.archive, blockers=[], archived=True)
    assert {s.status for s in done} == {Status.done}


def test_flow_as_dict_is_the_api_shape():
    flow = stages.build_flow(Stage.commission, blockers=[Blocker("x", "/a")])
    assert flow[0].as_dict() == {
        "key": "commission",
        "name": "接受委托",
        "status": "current",
        "blockers": ["x"],
    }
    assert flow[1].as_dict()["status"] == "todo" and flow[1].as_dict()["blockers"] == []


def test_registry_gate_replaces_checklist_unless_told_otherwise():
    registry = GateRegistry()
    assert registry.checklist(Stage.indicators)

    @registry.gate(Stage.indicators)
    def _gate(db, engagement):
        return []

    assert registry.checklist(Stage.indicators) == []

    @registry.gate(Stage.commission, replaces_checklist=False)
    def _gate2(db, engagement):
        return []

    assert registry.checklist(Stage.commission)


def test_checklist_blockers_lists_unconfirmed_items():
    items = [("a", "甲"), ("b", "乙")]
    assert [b.text for b in stages.checklist_blockers(Stage.plan, items, {"a"})] == ["待确认：乙"]
