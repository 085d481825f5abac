"""The plans' read model: implementation plans (`plan.filing`) and the Annex 2 cultivation
plans (`cultivation.*`), as one row per event, folded when read."""
