"""`publicity`: what a branch would publish on the province's platform (灯塔—党建在线), or the
city media's column on red-flag branches (红旗支部风采), as text ready to publish or JSON
(`publicity.platform`). guoying writes it out; it posts nowhere."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from guoying.api import BranchProgress, RedFlagColumn, Tier
from guoying.cli.options import AsKnownAtOption, StoreOption, opened_store, time_option
from guoying.cli.output import print_json


class Text(StrEnum):
    TEXT = "text"
    JSON = "json"


def _numbered(items: tuple[str, ...]) -> str:
    return "；".join(f"{n}、{item}" for n, item in enumerate(items, start=1)) or "无"


def _tier(tier: Tier | None) -> str:
    from guoying.api import TIER_LABELS

    return TIER_LABELS[tier] if tier is not None else "未填报"


def progress_text(p: BranchProgress) -> list[str]:
    from guoying.api import TITLE_LABELS

    lines = [
        f"【灯塔—党建在线】{p.name} {p.year}年度过硬党支部创建进展",
        f"所属党组织：{p.committee_name}",
        (
            f"当前等次：{_tier(p.tier)}；{p.year}年创建目标：{_tier(p.target)}；"
            f"年度考评结果：{_tier(p.result)}"
        ),
        f"存在的问题：{_numbered(p.problems)}",
        f"整改及创建措施：{_numbered(p.measures)}",
        f"整改情况：在整改{p.cases_open}项（其中逾期{p.cases_overdue}项），已销号{p.cases_closed}项",
    ]
    if p.title is not None and p.title_since is not None:
        lines.append(f"荣誉：{TITLE_LABELS[p.title]}（{p.title_since:%Y年%m月%d日}起）")
    if p.mentees:
        lines.append(f"结对帮带：{'、'.join(p.mentees)}")
    if p.mentor is not None:
        lines.append(f"帮带支部：{p.mentor}")
    return lines


def column_text(column: RedFlagColumn) -> list[str]:
    from guoying.api import TITLE_LABELS, TitleLevel

    lines = [f"【红旗支部风采】{column.year}年"]
    for number, level in ((1, TitleLevel.CITY), (2, TitleLevel.COMMITTEE)):
        entries = [e for e in column.entries if e.level is level]
        lines.append(f"{'一二'[number - 1]}、{TITLE_LABELS[level]}（{len(entries)}个）")
        for n, e in enumerate(entries, start=1):
            name = e.branch_name or e.branch_id
            lines.append(f"{n}. {name}（{e.committee_name or ''}）{e.named_in}年命名")
            if e.main_deeds:
                lines.append(f"   主要事迹：{e.main_deeds}")
    return lines


def publicity(
    year: Annotated[int, typer.Option("--year", help="the year published")],
    branch: Annotated[
        str | None,
        typer.Option("--branch", help="a branch's progress; without it, the city's column"),
    ] = None,
    as_known_at: AsKnownAtOption = None,
    fmt: Annotated[Text, typer.Option("--format", help="text or json")] = Text.TEXT,
    store: StoreOption = None,
) -> None:
    """What a branch would publish on the province's platform (灯塔—党建在线) for the year,
    or with no --branch the city media's column on its red-flag branches (红旗支部风采):
    nothing personal (no liaison, secretary or telephone number)."""
    from guoying.api import BranchProgress, to_data

    known = time_option("--as-known-at", as_known_at)
    with opened_store(store, create=False) as guoying:
        found: BranchProgress | RedFlagColumn = (
            guoying.branch_progress(branch, year, as_known_at=known)
            if branch is not None
            else guoying.red_flag_column(year, as_known_at=known)
        )
    if fmt is Text.JSON:
        print_json(to_data(found))
        return
    lines = progress_text(found) if isinstance(found, BranchProgress) else column_text(found)
    typer.echo("\n".join(lines))


def register(app: typer.Typer) -> None:
    app.command()(publicity)
