"""Text for the demo city and the synthetic cities: people's names, leadership positions,
and problems found with their rectification measures, picked by a seeded generator so that
every city is the same from the same seed."""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "建国志强立新海涛丽华秀英玉兰红梅晓东文杰明辉国庆俊峰桂芳振华宏伟春燕永刚"
LEADER_POSITIONS = ("党委书记", "党委副书记", "组织委员", "宣传委员", "纪委书记")
PROBLEMS = (
    ("组织生活不规范，“三会一课”记录不全", "建立组织生活纪实台账，每月由包保联系人检查"),
    ("党员活动阵地面积不足、功能单一", "整合村（社区）服务中心，改建党员活动室"),
    ("班子成员年龄偏大，后备力量不足", "选拔致富带头人和返乡青年进入后备干部队伍"),
    ("集体经济薄弱，年收入低于5万元", "发展土地流转和光伏项目，增加集体收入"),
    ("党员教育管理松散，流动党员失联", "建立流动党员微信群，落实季度联系制度"),
    ("党务公开不及时", "设立党务公开栏，每季度公开一次"),
)
COMMON_PROBLEMS = (
    ("部分党支部书记抓党建主业意识不强", "开展支部书记轮训，年度述职评议全覆盖"),
    ("软弱涣散党支部整顿转化成效不稳固", "实行县级领导包保整顿，一年内验收销号"),
)


def person_name(rng: random.Random) -> str:
    """A surname and two given-name characters."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN[0::2]) + rng.choice(GIVEN[1::2])
