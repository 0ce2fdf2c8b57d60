"""Compare offline routing with what a real agent did (a runs.json of the corpus's shape).

    python bench/routing_vs_runs.py WORKSPACE RUNS_JSON

For each group of inbox inputs it prints notesmith's decision beside the reference run's
created and updated articles, then counts: groups whose decision (create vs update) matches,
and updates that name an article the reference run also touched.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from notesmith.pipeline.catalog import load_catalog, search_text
from notesmith.pipeline.grouping import group_by_time
from notesmith.pipeline.intake import read_inbox
from notesmith.pipeline.routing import route_offline, shortlist
from notesmith.pipeline.shortlist import Shortlist
from notesmith.workspace import Workspace


def main(workspace: str, runs_file: str) -> None:
    ws = Workspace.open(Path(workspace), {"offline": True})
    runs = json.loads(Path(runs_file).read_text(encoding="utf-8"))
    reference = {}
    for run in runs:
        for name in run["inputs"]:
            reference[name.rsplit("/", 1)[-1]] = run
    intake = read_inbox(ws)
    groups = group_by_time(intake.ready, key=lambda i: i.time, window=dt.timedelta(seconds=ws.config.group_window))
    catalog = load_catalog(ws.root, ws.config.articles)
    entries = {e.rel: e for e in catalog}
    index = Shortlist((e.rel, search_text(e)) for e in catalog)
    same_action = same_target = updates = in_shortlist = ref_updates = 0
    for group in groups:
        cands = shortlist(group, index, entries, ws.config.shortlist)
        route = route_offline(group, cands)[0]
        runs_here = {id(reference[i.id]): reference[i.id] for i in group if i.id in reference}
        created = sorted({a for r in runs_here.values() for a in r["created"]})
        updated = sorted({a for r in runs_here.values() for a in r["updated"]})
        touched = set(created) | set(updated)
        ref_action = "update" if updated and not created else "create" if created and not updated else "both"
        same_action += route.action == ref_action or ref_action == "both"
        if route.action == "update":
            updates += 1
            same_target += route.article in touched
        if updated:
            ref_updates += 1
            in_shortlist += bool(set(updated) & {e.rel for e in cands.entries})
        print(f"{len(group):2} inputs {group[0].id[:15]}  notesmith: {route.action} {route.article or route.title!r}")
        print(f"           reference: created {created} updated {updated}")
    print(f"\n{len(groups)} groups; action agrees on {same_action}; "
          f"{same_target}/{updates} offline updates name an article the reference touched; "
          f"shortlist of {ws.config.shortlist} holds a reference update target for {in_shortlist}/{ref_updates} groups")


if __name__ == "__main__":
    main(*sys.argv[1:3])
