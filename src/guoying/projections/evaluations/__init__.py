"""Annual evaluation histories: per branch and year, composed at query time from the
ledger's bitemporal tables, the history view (who decided a result, and why), the title
register, the mentoring view and the findings (`findings.findings_of`). No table of its own:
the facts are kept once, where they are written."""
