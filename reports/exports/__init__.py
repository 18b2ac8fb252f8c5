"""Excel exports: one report in the official layout (official.py) and the county workbook (summary.py).

Both draw through sheet.py, which holds a sheet as plain data (cells, merges, sizes) and writes it either onto a
normal openpyxl worksheet or streams it onto a write-only one, so the same official layout serves the single
report export and the per-agency sheets of the county workbook.
"""
