"""The names of the demo city's units and branches, none of them used in two base
committees: a village, community, company or association belongs to one place, so a name
met twice in a city's ledgers would be one unit registered twice.

Villages are drawn from common place-name parts on the demo's one random stream, two draws
a village; a name already given moves on to the next unused pair without drawing again,
so the stream, and everything drawn after the names, stays as it was. Communities,
companies and associations are handed out in order from one list for the whole city;
institutions are named after their town (or the department they serve), which no other
base committee shares.
"""

from __future__ import annotations

import random

from attrs import define, field

_PLACE_FIRST = "东西南北前后上下大小新老高石马王李张刘杨赵孙"
_PLACE_SECOND = "庄家营屯店峪河岭坡洼桥口集寨园湖沟"
_PLACES = [a + b for a in _PLACE_FIRST for b in _PLACE_SECOND]
# In the order the streets take them: 财源街道, 岱庙街道, then 粥店街道.
COMMUNITIES = (
    "泰前",
    "岱宗",
    "东湖",
    "龙潭",
    "财源",
    "红门",
    "虎山",
    "望岳",
    "青年路",
    "灵芝",
    "擂鼓石",
    "通天",
    "奈河",
    "盘龙",
    "温泉",
    "泮河",
    "迎胜",
    "金山",
    "傲徕",
    "三里",
    "上高",
    "凤台",
    "天平",
    "明堂",
)
# Private companies, in the order the base committees take them (each joint branch takes
# two small ones).
ENTERPRISES = (
    "泰山精工",
    "岱丰纺织",
    "鲁泰机械",
    "汶阳农业",
    "泰和物流",
    "岳华建材",
    "东岳电子",
    "泰丰食品",
    "蓝天化工",
    "鑫源置业",
    "华联商贸",
    "泰盛玻纤",
    "金泰电缆",
    "绿源环保",
    "恒泰包装",
    "天颐医药",
    "瑞祥家具",
    "宏达汽配",
    "佳和印务",
    "福润酒业",
    "泰鹏肥业",
    "汶河果蔬",
    "徂徕山茶业",
    "岱宗文旅",
    "明堂建筑",
    "鲁中钢构",
    "泰岳新材料",
    "康宁生物",
    "华岳塑业",
    "泰诚物业",
    "金穗面业",
    "岳峰机电",
    "东平湖水产",
    "通泰运输",
    "顺达仓储",
    "泰和电器",
    "汇丰木业",
    "大汶河砂石",
    "博远软件",
    "泰隆石材",
    "盛泰五金",
    "岱北农机",
    "山口服装",
    "满庄门业",
    "汶口陶瓷",
    "恒源热电",
)
# Social organisations: a street's own, then 泰山区's, a town's, the development zone's.
ASSOCIATIONS = (
    "泰山志愿者协会",
    "泰山区社区养老服务中心",
    "泰安市书法家协会",
    "泰安市物流行业协会",
    "泰安市慈善义工联合会",
    "泰安市青年创业促进会",
    "泰山区个体劳动者协会",
    "泰山区餐饮业商会",
    "泰安市摄影家协会",
    "满庄镇老年人协会",
    "岱岳区个体劳动者协会",
    "岱岳区物流行业协会",
    "岱岳经济开发区企业家协会",
    "泰安市泰山文化研究会",
)


@define
class Names:
    """Every unit and branch name the city has given out, and the next of each list."""

    given: set[str] = field(factory=set)
    taken: dict[str, int] = field(factory=dict)

    def village(self, rng: random.Random) -> str:
        start = _PLACES.index(rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND))
        for step in range(len(_PLACES)):
            name = f"{_PLACES[(start + step) % len(_PLACES)]}村"
            if name not in self.given:
                return self._give(name)
        raise ValueError("every village name is given")

    def community(self) -> str:
        return self._give(f"{self._next('community', COMMUNITIES)}社区")

    def enterprise(self) -> str:
        return self._give(f"{self._next('enterprise', ENTERPRISES)}有限公司")

    def association(self) -> str:
        return self._give(self._next("association", ASSOCIATIONS))

    def own(self, name: str) -> str:
        """A name the caller composed from its committee's own place."""
        if name in self.given:
            raise ValueError(f"{name} is given twice")
        return self._give(name)

    def _next(self, kind: str, names: tuple[str, ...]) -> str:
        index = self.taken.get(kind, 0)
        self.taken[kind] = index + 1
        return names[index]

    def _give(self, name: str) -> str:
        self.given.add(name)
        return name
