"""`notesmith process`: one run, stage by stage; `run.py` holds their order."""
