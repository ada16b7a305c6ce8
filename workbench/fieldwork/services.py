"""The fieldwork services in one place (each lives in its own module; this is the index).

papers.py   create/update/delete papers, indicators of papers
findings.py findings with deductions or 评价要点 judgements
evidence.py validated, content-addressed evidence uploads
review.py   sign-offs with content hashes, returns, review notes
requests.py document requests, tokenized links, unit uploads
catalog.py  shipped and agency templates
queries.py  paper list with filters, overdue items
export.py   one paper as .docx; binder.py: the whole binder as a zip

Other domains import this module, fieldwork.models and the pure modules only; the API uses the
service modules as namespaces (`papers.create_paper`, `review.sign`, ...).
"""

from workbench.fieldwork import (
    catalog,
    evidence,
    findings,
    loaders,
    papers,
    queries,
    registers,
    requests,
    review,
)
from workbench.fieldwork.binder import summary as binder_summary
from workbench.fieldwork.binder import write_binder
from workbench.fieldwork.catalog import available as available_templates
from workbench.fieldwork.catalog import get_template
from workbench.fieldwork.evidence import delete as delete_evidence
from workbench.fieldwork.evidence import upload as upload_evidence
from workbench.fieldwork.export import paper_context, paper_docx
from workbench.fieldwork.findings import FindingInput, add_finding, delete_finding
from workbench.fieldwork.papers import (
    create_paper,
    delete_paper,
    get_paper,
    indicator_ids_for_paths,
    update_paper,
)
from workbench.fieldwork.permissions import Scope
from workbench.fieldwork.queries import PaperFilters, list_papers, overdue_items
from workbench.fieldwork.registers import FindingRow
from workbench.fieldwork.requests import (
    ItemInput,
    add_items,
    create_link,
    create_request,
    request_for_token,
    revoke_link,
    send_request,
    set_item_status,
    upload_to_item,
)
from workbench.fieldwork.review import add_note, return_paper, set_note_status, sign

__all__ = [
    "FindingInput",
    "FindingRow",
    "ItemInput",
    "PaperFilters",
    "Scope",
    "add_finding",
    "add_items",
    "add_note",
    "available_templates",
    "binder_summary",
    "catalog",
    "create_link",
    "create_paper",
    "create_request",
    "delete_evidence",
    "delete_finding",
    "delete_paper",
    "evidence",
    "findings",
    "get_paper",
    "get_template",
    "indicator_ids_for_paths",
    "list_papers",
    "loaders",
    "overdue_items",
    "paper_context",
    "paper_docx",
    "papers",
    "queries",
    "registers",
    "request_for_token",
    "requests",
    "return_paper",
    "review",
    "revoke_link",
    "send_request",
    "set_item_status",
    "set_note_status",
    "sign",
    "update_paper",
    "upload_evidence",
    "upload_to_item",
    "write_binder",
]
