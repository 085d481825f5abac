"""The annexes as people file them: each form's writer (XLSX, DOCX, CSV, JSON) over the one
view the API gives for it, and the reader that imports a ledger kept in a spreadsheet.

This layer sits between the command line and the API: it reads views through `guoying.api`
only, so an embedder writes the same files the CLI writes.
"""
