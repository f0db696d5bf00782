"""python3 -m rules (from scripts/): the catalogue, one rule per line (NAME, a tab, SOURCE), for TESTING.md."""
from rules import catalogue

for name, source in catalogue():
    print(f"{name}\t{source}")
