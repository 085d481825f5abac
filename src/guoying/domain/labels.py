"""The one table of Chinese terms shown to users (form headers, tier and sector names)."""

from __future__ import annotations

from datetime import date

from guoying.domain.cultivation import Batch
from guoying.domain.plans import PlanStatus
from guoying.domain.values import CommitteeLevel, Sector, Tier, TitleLevel

TIER_LABELS: dict[Tier, str] = {
    Tier.ADVANCED: "先进（过硬）",
    Tier.MIDDLE: "中间",
    Tier.LAGGING: "后进",
    Tier.WEAK: "软弱涣散",
}

SECTOR_LABELS: dict[Sector, str] = {
    Sector.RURAL: "农村",
    Sector.URBAN_COMMUNITY: "城市社区",
    Sector.PUBLIC_INSTITUTION: "机关事业单位",
    Sector.STATE_OWNED_ENTERPRISE: "国有企业",
    Sector.NON_PUBLIC_ENTERPRISE: "非公有制经济组织",
    Sector.SOCIAL_ORGANIZATION: "社会组织",
    Sector.OTHER: "其他领域",
}

LEVEL_LABELS: dict[CommitteeLevel, str] = {
    CommitteeLevel.CITY: "市委",
    CommitteeLevel.ORGANIZATION_DEPARTMENT: "市委组织部",
    CommitteeLevel.CITY_MANAGED: "市管党委",
    CommitteeLevel.INTERMEDIATE: "党委",
    CommitteeLevel.BASE: "基层党委",
}

LEDGER_TITLE = "过硬党支部建设工作台账"
LEDGER_HEADERS: dict[str, str] = {
    "sector": "领域",
    "sequence": "序号",
    "name": "党支部名称",
    "tier": "当前等次",
    "target": "创建目标",
    "problems": "存在的问题",
    "measures": "整改及创建措施",
    "result": "年度考评结果",
    "liaison": "包保联系人",
    "position": "职务",
    "contact": "联系方式",
    "cases": "整改情况",
    "common_problems": "面上共性问题",
    "common_measures": "整改措施",
    "filed_by": "填报单位",
}
ERASED = "（已删除）"

# The red-flag titles (`selection.title_levels`): a city-managed committee's, and the city
# committee's Taishan Pioneer.
TITLE_LABELS: dict[TitleLevel, str] = {
    TitleLevel.COMMITTEE: "红旗党支部",
    TitleLevel.CITY: "“泰山先锋”红旗党支部",
}

# The recommendation and approval form (Annex 3, `selection.form`).
FORM_TITLE = "“泰山先锋”红旗党支部推荐审批表"
FORM_HEADERS: dict[str, str] = {
    "filed_by": "填报单位",
    "name": "党支部名称",
    "base_committee": "所在基层党委",
    "city_managed_committee": "所在市管党委",
    "secretary": "党支部书记姓名",
    "phone": "联系电话",
    "basic_facts": "基本情况",
    "past_honours": "曾受表彰情况",
    "main_deeds": "主要事迹",
    "base_opinion": "基层党委意见",
    "city_managed_opinion": "市管党委意见",
    "organization_department_opinion": "市委组织部评审意见",
    "city_opinion": "市委审批意见",
    "seal": "盖章",
}
NOT_GIVEN = "（尚未出具）"

# The schedule of Taishan Pioneers' mentoring (Annex 4, `mentoring.plan`).
MENTORING_TITLE = "“泰山先锋”红旗党支部帮带工作配档表"
MENTORING_HEADERS: dict[str, str] = {
    "filed_by": "填报单位",
    "mentor": "红旗党支部名称",
    "mentee": "帮带支部名称",
    "mentee_tier": "帮带支部等次",
    "goal": "帮带目标",
    "measures": "帮带措施",
    "deadline": "完成时限",
    "remarks": "备注",
}


def cases_label(open_cases: int, overdue: int, closed: int) -> str:
    """A row's rectification cases (`ledger.rectification`): open, of which overdue, closed."""
    return f"在整改{open_cases}（逾期{overdue}）已销号{closed}"


# The three-year cultivation plan (Annex 2, `cultivation.row`) and its batches
# (`cultivation.batches`).
CULTIVATION_TITLE = "红旗党支部三年培树计划推进表"
CULTIVATION_HEADERS: dict[str, str] = {
    "year": "年度",
    "sequence": "序号",
    "name": "党支部名称",
    "measures": "具体培养措施",
    "liaison": "包保联系人",
    "position": "职务",
    "contact": "联系方式",
    "batch": "培树批次",
    "filed_by": "填报单位",
}
BATCH_LABELS: dict[Batch, str] = {
    Batch.FIRST: "率先培树",
    Batch.FOCUS: "重点培养",
    Batch.RESERVE: "长远储备",
}
# Where an implementation plan stands (`plan.filing`).
PLAN_STATUS_LABELS: dict[PlanStatus, str] = {
    PlanStatus.NOT_SUBMITTED: "未报送",
    PlanStatus.SUBMITTED: "已报送待审核",
    PlanStatus.RETURNED: "已退回",
    PlanStatus.ACCEPTED: "已审核备案",
}

# The annexes as files (`guoying export`, the forms issue): what a spreadsheet or document of
# an annex carries beyond the headers above. The notes are the source's, verbatim.
ANNEX_SHEET = "附件{number}"
LEDGER_NOTES = (
    "注：1.本表由各基层党委填写，在逐级分析研判、综合平衡后，上报上一级党委，直至市管党委备案。"
    "2.各级党委上报的先进党支部总数原则上不超过所辖党支部总数的10%，软弱涣散党支部按照有关规定"
    "比例确定。3.各级党委领导班子成员至少联系包保1个基层党支部，每个单位都要实现党员干部联系包保"
    "基层党支部全覆盖。"
)
CULTIVATION_NOTES = "注：本表由各市管党委填写，于2017年7月10前报市委组织部。"
MENTORING_NOTES = "注：本表由各市管党委填写，于2017年7月底前报市委组织部。"
# The columns guoying adds after a form's own, so that rows of a rolled-up form can be told
# apart (Annex 1 columns P and Q), and the counts of a row's rectification cases, each a
# number in its own CSV column.
ADDED_HEADERS: dict[str, str] = {
    "base_committee": "所属基层党委",
    "branch_id": "党支部编号",
    "liaison_id": "包保联系人编号",
    "cases_open": "在整改",
    "cases_overdue": "逾期",
    "cases_closed": "已销号",
    "pair_id": "帮带编号",
    "nomination_id": "推荐编号",
}


def year_label(year: int) -> str:
    """A year as the forms write it: 2017年."""
    return f"{year}年"


def month_label(on: date) -> str:
    """A filing date as the forms' heading writes it: 2017年7月."""
    return f"{on.year}年{on.month}月"


def day_label(on: date) -> str:
    """A date as the forms' opinions and deadlines write it: 2017年7月10日."""
    return f"{on.year}年{on.month}月{on.day}日"
