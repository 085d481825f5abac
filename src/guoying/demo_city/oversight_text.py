"""The words of the demo city's supervision, findings, linkage and funding (§4, §7-§9)."""

from __future__ import annotations

from guoying.domain.accountability import FundingKind, LinkageKind
from guoying.domain.supervision import SupervisionMethod
from guoying.domain.values import Sector, Tier

VISIT_REASON = {
    SupervisionMethod.SCHEDULED_DISPATCH: "定期调度过硬党支部创建进展",
    SupervisionMethod.SPECIAL_RESEARCH: "围绕创建重点难点开展专项调研",
    SupervisionMethod.RANDOM_SPOT_CHECK: "随机抽查党支部创建情况和实际效果",
    SupervisionMethod.PICK_BRANCH_POINT_PROBLEM: "采取“抽支部、点问题”方式督导，直接延伸到支部",
    SupervisionMethod.ON_SITE_AND_ONLINE: "“实地到、线上看”，查阅“灯塔—党建在线”上传资料并实地核验",
    SupervisionMethod.UNANNOUNCED_CHECK: "市委组织部线上线下结合，不定期抽查暗访",
}
# What a visit finds where the branch's work is in order, and what follows.
IN_ORDER = (
    "“三会一课”记录完整，主题党日开展规范，台账资料齐全",
    "创建措施落实到位，包保联系人每月到支部指导",
    "党员活动阵地功能完善，“灯塔—党建在线”资料上传及时",
)
KEEP_UP = "总结经验做法，在观摩交流中推广"
FOLLOW_UP = "{measure}；限期一个月整改，整改情况报{by}"

EXCHANGE_TOPICS = (
    "过硬党支部建设启动部署暨示范点现场观摩",
    "过硬党支部建设半年观摩交流：分领域交流创建经验",
    "“泰山先锋”红旗党支部现场观摩，书记讲述创建做法",
    "后进党支部晋位升级经验交流暨结对帮带推进会",
)
MEETING_TOPICS = {
    2017: "专题研究部署过硬党支部建设，审定实施方案和三年培树计划",
    2018: "听取2017年度考评情况汇报，研究解决软弱涣散党支部整顿等重点难点问题",
}
# The secretaries who chair the special meetings of the committees above the base level.
SECRETARIES = {
    "taian": "市委书记",
    "taishan": "区委书记",
    "daiyue": "区委书记",
    "szjg": "市直机关工委书记",
    "dy-lxzw": "两新工委书记",
}

FALSIFIED_REPORT = (
    "{year}年度考评上报材料中，{names}虚报主题党日开展次数和村集体经济收入，"
    "考评等次失实，经区委督导组核查属实"
)
FALSIFICATION_REASON = "督导核查发现考评上报材料弄虚作假，相关党支部列入重新考评"
REEVALUATION_REASON = "经区委督导组核查后重新考评，据实更正{year}年度考评结果"

MISSED_MEETING = (
    "2018年度未召开过硬党支部建设专题会议，未按要求研究部署创建工作，执行上级决策部署不力"
)
FINDING_DECISION = "对党委书记进行约谈，责令限期召开专题会议并作出书面说明，在市直机关范围内通报"

LINKAGE_REASON = "将过硬党支部建设情况与补贴待遇、评先树优、党建经费和发展党员计划挂钩"
LINKED: dict[LinkageKind, dict[Tier, str]] = {
    LinkageKind.ALLOWANCE: {
        Tier.ADVANCED: "党组织书记2019年度补贴待遇上浮10%",
        Tier.MIDDLE: "党组织书记补贴待遇按标准发放",
        Tier.LAGGING: "党组织书记补贴待遇暂不上调，晋位升级后恢复",
        Tier.WEAK: "暂停发放党组织书记绩效补贴，整顿验收合格后补发",
    },
    LinkageKind.COMMENDATION: {
        Tier.ADVANCED: "推荐参评2019年度先进基层党组织",
        Tier.MIDDLE: "参加年度评先树优，同等条件下不优先",
        Tier.LAGGING: "暂停年度评先树优资格",
        Tier.WEAK: "取消当年评先树优资格",
    },
    LinkageKind.PARTY_BUILDING_FUNDS: {
        Tier.ADVANCED: "党建工作经费增加5000元",
        Tier.MIDDLE: "按标准拨付党建工作经费",
        Tier.LAGGING: "党建工作经费按80%拨付，整改到位后补足",
        Tier.WEAK: "暂缓拨付党建工作经费，整顿验收后拨付",
    },
    LinkageKind.RECRUITMENT_PLAN: {
        Tier.ADVANCED: "2019年发展党员计划增加1名",
        Tier.MIDDLE: "按常规下达2019年发展党员计划",
        Tier.LAGGING: "暂缓下达2019年发展党员计划",
        Tier.WEAK: "暂停发展党员，整顿转化后再行下达",
    },
}
DUES_TILT = "红旗党支部创建成绩突出，2019年从区管党费中倾斜安排党建活动经费2万元"
CADRE_PREFERENCE = "党支部书记列入优秀党组织书记培养对象，推荐“两代表一委员”时同等条件下优先考虑"

FUNDS: dict[FundingKind, tuple[tuple[Sector, ...], int, str]] = {
    # The sectors whose branches a fund serves, yuan per branch a year, the reason.
    FundingKind.VILLAGE_OPERATING: (
        (Sector.RURAL,),
        50_000,
        "建立村级组织运转经费财政兜底制度，按村足额拨付",
    ),
    FundingKind.COMMUNITY_WORK: (
        (Sector.URBAN_COMMUNITY,),
        100_000,
        "足额落实城市社区工作经费",
    ),
    FundingKind.SERVICE_TO_PEOPLE: (
        (Sector.RURAL, Sector.URBAN_COMMUNITY),
        20_000,
        "足额落实村（社区）为民服务经费",
    ),
    FundingKind.COMMITTEE_MEMBER_PAY: (
        (Sector.RURAL, Sector.URBAN_COMMUNITY),
        60_000,
        "足额落实村（社区）“两委”成员报酬",
    ),
    FundingKind.NON_PUBLIC_DEDICATED: (
        (Sector.NON_PUBLIC_ENTERPRISE, Sector.SOCIAL_ORGANIZATION),
        5_000,
        "设立非公有制经济组织和社会组织党建工作专项经费，纳入财政预算",
    ),
}
# The organs' committee has no villages, communities or enterprises of its own: it funds
# its branches' service to the people (党员志愿服务、结对共建) from its own budget.
ORGANS_FUND = (
    FundingKind.SERVICE_TO_PEOPLE,
    5_000,
    "市直机关党组织为民服务经费，用于党员志愿服务和结对共建",
)
# Each year the village operating funds rise by this much a village (财政兜底).
VILLAGE_RISE = 10_000
