"""python -m notesmith"""

from notesmith.cli import main

main(prog_name="notesmith")
