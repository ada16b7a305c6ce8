#!/usr/bin/env bash
# The README's API guide, step by step (curl + jq). Against the demo (`make demo`):
#   BASE=http://127.0.0.1:5000 bash scripts/api_example.sh
# tests/api/test_api_guide.py runs this file against a real server, and checks that the README
# shows the same commands.
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:5000}"
API="$BASE/api/v1"
SHEET="${SHEET:-workbench/demo/samples/indicator_sheet_example.xlsx}"
OUT="${OUT:-.}"

# 1. A token (shown once: keep it like a password; the API answers 401 without it).
TOKEN=$(curl -sf -X POST "$API/tokens" -H 'Content-Type: application/json' \
  -d '{"username": "demo-lead", "password": "demo12345"}' | jq -r .token)
AUTH="Authorization: Bearer $TOKEN"

# 2. A new engagement; the caller becomes its 项目负责人. Amounts are in 元, as strings.
ID=$(curl -sf -X POST "$API/engagements" -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"title": "2026年度示例资金绩效评价", "type": "project", "budget_year": 2026,
       "bureau_name": "示例市财政局", "unit_name": "示例市教育局",
       "budget_amount": "12500000.00"}' | jq -r .id)

# 3. Before working on it, the lead signs both declarations (独立性声明、保密承诺).
for KIND in independence confidentiality; do
  curl -sf -X POST "$API/engagements/$ID/declarations" -H "$AUTH" \
    -H 'Content-Type: application/json' -d "{\"kind\": \"$KIND\"}" > /dev/null
done

# 4. The indicator system from an indicator sheet (an error anywhere: 422 naming row and
#    column, nothing changed).
curl -sf -X PUT "$API/engagements/$ID/indicators" -H "$AUTH" -F "file=@$SHEET" \
  | jq -c '{imported, created}'

# 5. A 座谈会纪要 working paper, and the minutes as its evidence.
WID=$(curl -sf -X POST "$API/engagements/$ID/workpapers" -H "$AUTH" \
  -H 'Content-Type: application/json' -d '{"template": "forum", "title": "学校座谈会"}' | jq -r .id)
printf '座谈会纪要：资金按计划拨付到位。\n' > "$OUT/座谈会纪要.txt"
curl -sf -X POST "$API/workpapers/$WID/evidence" -H "$AUTH" \
  -F "files=@$OUT/座谈会纪要.txt" -F "note=座谈会现场记录" | jq -c '[.items[] | {id, name}]'

# 6. The report as Word (each generation is kept as a new version).
curl -sf -X POST "$API/engagements/$ID/documents/report" -H "$AUTH" \
  -H 'Content-Type: application/json' -d '{"label": "初稿"}' -o "$OUT/评价报告.docx" \
  -D "$OUT/headers.txt"
grep -i '^x-deliverable-version' "$OUT/headers.txt"
