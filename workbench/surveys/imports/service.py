"""Importing answers from files: upload → proposed mapping shown for confirmation → parse and write.

Nothing is stored while a file has a problem: the upload keeps the file (blob) and a pending
import only once the file reads; the confirm step parses every row first and then writes every
new row in one transaction. Re-importing the same file adds nothing (survey + source key).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit, storage, uploads
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write
from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.design.questions import Question
from workbench.surveys.imports import (
    ChunkParser,
    ImportIssue,
    ImportMapping,
    ImportRefused,
    ParsedImport,
    Table,
    TableStream,
    automap,
    read_stream,
    read_table,
)
from workbench.surveys.imports.progress import stale
from workbench.surveys.imports.writer import Progress, ResponseWriter
from workbench.surveys.linking import results_changed
from workbench.surveys.models import Channel, ImportStatus, Survey, SurveyImport
from workbench.surveys.statistics import verdicts

ALLOWED = frozenset({"xls", "xlsx", "csv"})
_EXECUTABLE = (b"MZ", b"\x7fELF")


@dataclass
class ImportOutcome:
    imported: int
    skipped_duplicates: int
    rows: int
    warnings: list[str] = field(default_factory=list)
    variant: str | None = None


def refusal(errors: Sequence[ImportIssue], message: str = "文件未导入") -> ValidationFailed:
    """A 422 whose details are the importer's `{row, column, message}` problems."""
    first = errors[0].message if errors else message
    return ValidationFailed(f"{message}：{first}", details=errors)


def read_upload(filename: str, data: bytes) -> tuple[uploads.CheckedUpload, Table]:
    """Check an upload and read its first rows (header, preview, mapping); see `open_upload`."""
    checked, stream = open_upload(filename, data)
    return checked, stream.head


def open_upload(filename: str, data: bytes) -> tuple[uploads.CheckedUpload, TableStream]:
    """Check an upload (name, size, sniffed type) and open it; refusals name row and column."""
    try:
        checked = uploads.check(filename, data, allowed=ALLOWED, max_mb=uploads.max_upload_mb())
    except ValidationFailed as refused:
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension in ALLOWED and not data.startswith(_EXECUTABLE):
            # The importer explains these better: an HTML page saved as .xls, an unsupported
            # encoding, a truncated workbook.
            try:
                read_table(data, filename=filename)
            except ImportRefused as clearer:
                raise refusal(clearer.errors) from None
        raise refused from None
    try:
        stream = read_stream(checked.data, filename=checked.name)
    except ImportRefused as refused:
        raise refusal(refused.errors) from None
    return checked, stream


def _row_count(stream: TableStream) -> int:
    """Answer rows of the whole file; a streamed file is read through once (every cell checked)."""
    if not stream.streamed:
        return stream.head.row_count
    try:
        return stream.count_rows()[0]
    except ImportRefused as refused:
        raise refusal(refused.errors) from None


def _open_for_answers(survey: Survey) -> None:
    if survey.is_closed:
        raise Conflict("问卷已结束回收，不能再导入答卷；如需补充，请项目负责人先重新开启问卷")


def upload_import(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    filename: str,
    data: bytes,
    kind: str = "auto",
) -> SurveyImport:
    """Keep the file and its proposed column mapping, for the user to confirm."""
    guard_write(db, engagement, actor)
    _open_for_answers(survey)
    questions = questions_of(survey)
    if not questions:
        raise Conflict("问卷还没有题目：请先设计问卷，或用“从问卷星导出文件创建问卷”")
    checked, stream = open_upload(filename, data)
    table = stream.head
    if kind not in ("wjx", "generic"):
        kind = "wjx" if automap.is_wjx(table) else "generic"
    mapping = automap.propose(table, questions, kind)
    row_count = _row_count(stream)
    blob = storage.store(db, checked.data, mime=checked.mime)
    job = SurveyImport(
        survey_id=survey.id,
        sha256=blob.sha256,
        filename=checked.name,
        kind=kind,
        mapping=mapping.to_dict(),
        row_count=row_count,
        warnings=list(mapping.warnings),
        created_by_id=actor.id,
    )
    db.add(job)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.import_upload",
        obj=job,
        engagement_id=engagement.id,
        after={"filename": job.filename, "sha256": job.sha256, "rows": job.row_count, "kind": kind},
        summary=f"{survey.title}：上传“{job.filename}”（{job.row_count} 行），待确认列对应",
    )
    return job


def job_stream(job: SurveyImport) -> TableStream:
    """The stored file of an import, opened again (its first rows read; a large one is
    streamed from disk)."""
    try:
        return read_stream(storage.local_path(job.sha256), filename=job.filename)
    except ImportRefused as refused:
        raise refusal(refused.errors) from None


def job_table(job: SurveyImport) -> Table:
    """The header and first rows of an import's stored file (for the mapping page)."""
    return job_stream(job).head


def edited_mapping(
    job: SurveyImport, questions: Sequence[Question], table: Table, values: Mapping[int, str] | None
) -> ImportMapping:
    """The proposal stored with the import, with the user's edits applied."""
    mapping = ImportMapping.from_dict(job.mapping or {})
    if values is None:
        return mapping
    return automap.apply_choices(mapping, questions, values, table)


def claim(
    db: Session, *, actor: User, engagement: Engagement, survey: Survey, job: SurveyImport
) -> None:
    """Check that an import may be confirmed now (pending, or failed and being retried)."""
    guard_write(db, engagement, actor)
    _open_for_answers(survey)
    if job.status == ImportStatus.done:
        raise Conflict("该文件已经导入完成")
    if job.status == ImportStatus.cancelled:
        raise Conflict("该导入已取消，请重新上传文件")
    if job.status == ImportStatus.running and not stale(job):
        raise Conflict("该文件正在导入中，请稍候")


def confirm_import(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    job: SurveyImport,
    values: Mapping[int, str] | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Parse the whole file and write its new rows in this transaction; any problem → 422."""
    claim(db, actor=actor, engagement=engagement, survey=survey, job=job)
    stream = job_stream(job)
    mapping = edited_mapping(job, questions_of(survey), stream.head, values)
    if mapping.errors:
        raise refusal(list(mapping.errors), "文件有误，未导入任何答卷")
    job.mapping = mapping.to_dict()
    return import_rows(
        db,
        actor=actor,
        engagement=engagement,
        survey=survey,
        job=job,
        stream=stream,
        mapping=mapping,
        progress=progress,
    )


def import_rows(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    job: SurveyImport,
    stream: TableStream,
    mapping: ImportMapping,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Parse chunk by chunk, writing each chunk's new rows in a SAVEPOINT, then close the import.

    A problem in any row (even in the last chunk) rolls the savepoint back: nothing is written,
    and every problem found (capped) is in the 422. `progress` gets the rows read so far.
    """
    channel = Channel.wjx if job.kind == "wjx" else Channel.generic
    savepoint = db.begin_nested()
    try:
        parser = ChunkParser(questions_of(survey), mapping, stream.head)
        writer = ResponseWriter(db, survey=survey, channel=channel, import_id=job.id)
        for table in stream.chunks() if parser.ready else ():
            responses = parser.feed(table)
            if responses:
                writer.write(responses)
            if progress is not None:
                progress(parser.result.row_count)
        parsed = parser.finish()
        writer.finish()
    except ImportRefused as refused:
        savepoint.rollback()
        raise refusal(refused.errors, "文件有误，未导入任何答卷") from None
    except BaseException:
        savepoint.rollback()
        raise
    if parsed.errors:
        savepoint.rollback()
        raise refusal(parsed.errors, "文件有误，未导入任何答卷")
    savepoint.commit()
    if writer.imported:
        # The answers arrive judged (validity verdicts and the survey's totals): the first look at
        # the answers list after a large import reads stored figures instead of judging them all.
        verdicts.store(db, survey, verdicts.judge(db, survey), verdicts.judgement_key(survey))
    return _close(
        db,
        actor=actor,
        engagement=engagement,
        survey=survey,
        job=job,
        parsed=parsed,
        imported=writer.imported,
        skipped=writer.skipped,
    )


def _close(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    job: SurveyImport,
    parsed: ParsedImport,
    imported: int,
    skipped: int,
) -> ImportOutcome:
    """Record the outcome on the import (audited) and mark the results changed."""
    job.status = ImportStatus.done.value
    job.imported, job.skipped = imported, skipped
    job.processed = parsed.row_count
    job.warnings = list(parsed.warnings)
    job.errors = []
    job.finished_at = utcnow()
    db.add(job)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.import",
        obj=job,
        engagement_id=engagement.id,
        after={
            "filename": job.filename,
            "imported": imported,
            "skipped_duplicates": skipped,
            "rows": parsed.row_count,
            "variant": parsed.variant,
        },  # fmt: skip
        summary=f"{survey.title}：导入“{job.filename}”新增 {imported} 份答卷，跳过已有 {skipped} 份",
    )
    if imported:
        results_changed(
            db, actor=actor, engagement=engagement, survey=survey, reason="导入了新的答卷"
        )
    return ImportOutcome(imported, skipped, parsed.row_count, list(parsed.warnings), parsed.variant)


def cancel_import(
    db: Session, *, actor: User, engagement: Engagement, survey: Survey, job: SurveyImport
) -> None:
    """Drop a pending import (the stored file stays in the blob store, unreferenced rows none)."""
    guard_write(db, engagement, actor)
    if job.status not in (ImportStatus.pending, ImportStatus.failed):
        raise Conflict(f"该导入当前为“{job.status_name}”，不能取消")
    job.status = ImportStatus.cancelled.value
    job.finished_at = utcnow()
    db.add(job)
    db.flush()
    audit.record(
        db, actor=actor, action="survey.import_cancel", obj=job, engagement_id=engagement.id,
        summary=f"{survey.title}：取消导入“{job.filename}”",
    )  # fmt: skip


def import_direct(
    db: Session, *, actor: User, engagement: Engagement, survey: Survey, filename: str, data: bytes
) -> ImportOutcome:
    """The API: import with the automatic mapping, refused (422) when it is incomplete."""
    guard_write(db, engagement, actor)
    _open_for_answers(survey)
    questions = questions_of(survey)
    if not questions:
        raise Conflict("问卷还没有题目，无法导入答卷")
    checked, stream = open_upload(filename, data)
    table = stream.head
    kind = "wjx" if automap.is_wjx(table) else "generic"
    mapping = automap.propose(table, questions, kind)
    if mapping.errors:
        raise refusal(mapping.errors, "文件的列与问卷题目未能全部对应，未导入")
    # The blob and the import row are rolled back with the answers if any row has a problem.
    savepoint = db.begin_nested()
    try:
        blob = storage.store(db, checked.data, mime=checked.mime)
        job = SurveyImport(
            survey_id=survey.id, sha256=blob.sha256, filename=checked.name, kind=kind,
            mapping=mapping.to_dict(), row_count=table.row_count, created_by_id=actor.id,
            status=ImportStatus.running.value, started_at=utcnow(),
        )  # fmt: skip
        db.add(job)
        db.flush()
        outcome = import_rows(
            db, actor=actor, engagement=engagement, survey=survey, job=job, stream=stream,
            mapping=mapping,
        )  # fmt: skip
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    job.row_count = outcome.rows
    return outcome
