"""What the demo city's committees write in the selection: each level's opinion on its
list, the notices, the submission's process and opinions, and the Annex 3 facts and deeds
of a proposed branch. All of it is composed; no real branch or person is described."""

from __future__ import annotations

from guoying.demo_city.layout import Branch
from guoying.domain.labels import SECTOR_LABELS
from guoying.domain.values import CommitteeLevel, Sector

# Each level's opinion on the candidates of its list: the reason of its decision, which
# the Annex 3 form shows as that level's sealed opinion.
DECIDED: dict[CommitteeLevel, str] = {
    CommitteeLevel.BASE: "经党支部书记述职、党员群众测评推荐，党委会集体研究，同意推荐",
    CommitteeLevel.INTERMEDIATE: "经两新工委会议研究，同意推荐",
    CommitteeLevel.CITY_MANAGED: (
        "经实地考察、征求意见，党委常委会研究，命名为红旗党支部，推荐参评“泰山先锋”红旗党支部"
    ),
    CommitteeLevel.CITY: "经市委组织部审核，列入“泰山先锋”红旗党支部初步名单，面向社会公示",
}
FINAL: dict[CommitteeLevel, str] = {
    CommitteeLevel.BASE: "公示期满，确定推荐名单，报上级党委",
    CommitteeLevel.INTERMEDIATE: "公示期满，确定推荐名单，报区委",
    CommitteeLevel.CITY_MANAGED: "公示期满，命名红旗党支部，确定“泰山先锋”推荐人选",
    CommitteeLevel.CITY: "市委研究决定，命名为“泰山先锋”红旗党支部",
}
CITY_NOTICE = "初步名单在泰安日报和泰安先锋网面向社会公示"
DOCUMENT_PREFIX = {"taishan": "泰山组字", "daiyue": "岱组字", "szjg": "泰直工委字"}
PROCESS = (
    "党支部自愿申报；基层党委组织书记述职、党员群众测评推荐，党委会集体研究推荐；"
    "实地考察，征求纪检监察等部门意见，常委会研究确定；推荐名单公示无异议"
)
OPINIONS_GATHERED = "征求纪检监察、法院、检察院、综治、信访、公安、审计等部门意见，均无不良反馈"

_DEEDS: dict[Sector, str] = {
    Sector.RURAL: (
        "带领群众发展特色种植和乡村旅游，村集体经济年收入增至{n}万元；"
        "推行党员联户，矛盾纠纷就地化解"
    ),
    Sector.URBAN_COMMUNITY: (
        "建成社区党群服务中心，推行网格化党建，组织在职党员到社区报到，年开展志愿服务{n}场次"
    ),
    Sector.PUBLIC_INSTITUTION: (
        "开展党员示范岗、承诺践诺活动，{n}项便民服务事项实现一次办好，服务对象满意度居全市前列"
    ),
    Sector.STATE_OWNED_ENTERPRISE: (
        "把党建工作要求写入公司章程，实施党员先锋工程，承担全市重点项目{n}项，安全生产无事故"
    ),
    Sector.NON_PUBLIC_ENTERPRISE: (
        "设立党员先锋岗和技术攻关小组，带动企业产值年增长{n}%，优先吸纳当地群众就业"
    ),
    Sector.SOCIAL_ORGANIZATION: ("以党建带会建，组织党员志愿者开展公益服务{n}场次，规范协会运行"),
    Sector.OTHER: "组织离退休党员参与社区治理和关心下一代工作，开展政策宣讲{n}场次",
}


def dossier(branch: Branch, *, members: int, measure: int, standing: str) -> tuple[str, str]:
    """The basic facts and main deeds of a proposed branch's Annex 3 form."""
    facts = (
        f"{branch.name}，隶属{branch.base.name}，{SECTOR_LABELS[branch.sector]}领域，"
        f"党员{members}名；{standing}"
    )
    return facts, _DEEDS[branch.sector].format(n=measure)
