"""The surveys domain's public interface: other domains import these (and models.py), nothing else.

Other domains call these: `report_summary(db, engagement)` for the report (an `EngagementSurveys`
of typed `SurveySummary` read models), `compute(db, survey)`
for the figures of one survey; the score reads survey figures through sources.py.
"""

from workbench.surveys.collection.personal import respondent_values
from workbench.surveys.collection.responses import (
    RulesInput,
    enter_paper,
    set_override,
    set_rules,
    submit_online,
)
from workbench.surveys.collection.sample_plan import required_sample, set_sample_plan, waive_sample
from workbench.surveys.collection.states import close_survey, open_survey, reopen_survey
from workbench.surveys.design.questionnaire import (
    delete_question,
    move_question,
    questions_of,
    replace_questions,
    response_count,
    save_question,
)
from workbench.surveys.design.questions import Question
from workbench.surveys.design.surveys import (
    copy_survey,
    create_from_template,
    create_survey,
    delete_survey,
    list_surveys,
    response_counts,
    update_settings,
)
from workbench.surveys.imports.service import (
    ImportOutcome,
    cancel_import,
    confirm_import,
    import_direct,
    upload_import,
)
from workbench.surveys.linking import describe as describe_link
from workbench.surveys.linking import (
    link_indicator,
    linked_indicators,
    satisfaction_leaves,
    unlink_indicator,
)
from workbench.surveys.loaders import SurveyScope, survey_by_id
from workbench.surveys.statistics.export import create_paper, paper_values, workbook_bytes
from workbench.surveys.statistics.sampling import sample_size, z_for
from workbench.surveys.statistics.service import SurveyResult, compute, metric, valid_count
from workbench.surveys.statistics.summary import (
    EngagementSurveys,
    SummaryItem,
    SurveySummary,
    report_summary,
    stats_body,
)

__all__ = [
    "EngagementSurveys",
    "ImportOutcome",
    "Question",
    "RulesInput",
    "SummaryItem",
    "SurveyResult",
    "SurveyScope",
    "SurveySummary",
    "cancel_import",
    "close_survey",
    "compute",
    "confirm_import",
    "copy_survey",
    "create_from_template",
    "create_paper",
    "create_survey",
    "delete_question",
    "delete_survey",
    "describe_link",
    "enter_paper",
    "import_direct",
    "link_indicator",
    "linked_indicators",
    "list_surveys",
    "metric",
    "move_question",
    "open_survey",
    "paper_values",
    "questions_of",
    "reopen_survey",
    "replace_questions",
    "report_summary",
    "required_sample",
    "respondent_values",
    "response_count",
    "response_counts",
    "sample_size",
    "satisfaction_leaves",
    "save_question",
    "set_override",
    "set_rules",
    "set_sample_plan",
    "stats_body",
    "submit_online",
    "survey_by_id",
    "unlink_indicator",
    "update_settings",
    "upload_import",
    "valid_count",
    "waive_sample",
    "workbook_bytes",
    "z_for",
]
