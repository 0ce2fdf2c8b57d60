"""python -m notesmith"""

from .cli import main

main(prog_name="notesmith")
