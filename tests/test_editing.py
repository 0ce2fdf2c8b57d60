from __future__ import annotations

import difflib
import json
import posixpath
import re
from pathlib import Path

import pytest

from notesmith.errors import DraftError
from notesmith.text.article import Article
from notesmith.checking.article_rules import Context, check_article
from notesmith.config import Config
from notesmith.pipeline.blocks import Anchor, ArticleUpdate, Block, Edit, Evidence, cite
from notesmith.pipeline.editing import apply_update, find_section
from notesmith.text.frontmatter import key_lines
from notesmith.checking.rules import severities
from notesmith.checking.tree import DiskTree

FIXTURES = Path(__file__).parent / "fixtures" / "editing"
CASES = sorted(p.name[: -len(".update.json")] for p in FIXTURES.glob("*.update.json"))
TODAY = "2026-04-02"


def load_case(case: str) -> tuple[Article, ArticleUpdate, dict]:
    spec = json.loads((FIXTURES / f"{case}.update.json").read_text(encoding="utf-8"))
    edits = tuple(
        Edit(
            e["op"],
            e["section"],
            tuple(Block(b["kind"], b["text"], b.get("level", 2), cite(*b.get("sources", ()))) for b in e["blocks"]),
            e.get("heading"),
            e.get("level"),
        )
        for e in spec["edits"]
    )
    before = Article.from_bytes((FIXTURES / f"{case}.before.md").read_bytes())
    spec.setdefault("article", f"articles/{case}.md")
    return before, ArticleUpdate(edits, tuple(spec.get("tags", ()))), spec


def run_case(case: str) -> tuple[Article, Article, dict]:
    before, update, spec = load_case(case)
    after = apply_update(before, update, article_rel=spec["article"], today=spec["today"])
    return before, after, spec


def workspace_for(root: Path, article: Article, rel: str) -> Context:
    """A workspace on disk holding every input the article cites, so source links resolve."""
    for definition in article.scan.defs:
        for target in re.findall(r"\]\(([^)\s]+)\)", definition.text):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target.replace("%20", " ")))
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text("input\n", encoding="utf-8")
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(article.dump().encode("utf-8"))
    return Context(DiskTree(root), Config(), severities({}))


def test_every_case_has_a_golden_file():
    assert len(CASES) >= 9
    for case in CASES:
        assert (FIXTURES / f"{case}.before.md").is_file()
        assert (FIXTURES / f"{case}.after.md").is_file(), case


@pytest.mark.parametrize("case", CASES)
def test_golden(case):
    _, after, _ = run_case(case)
    expected = (FIXTURES / f"{case}.after.md").read_bytes()
    assert after.dump().encode("utf-8") == expected


@pytest.mark.parametrize("case", CASES)
def test_result_passes_the_checks(case, tmp_path):
    before, after, spec = run_case(case)
    ctx = workspace_for(tmp_path, after, spec["article"])
    assert check_article(before, spec["article"], ctx) == []  # the fixtures start clean
    assert check_article(after, spec["article"], ctx) == []


@pytest.mark.parametrize("case", CASES)
def test_diff_touches_only_the_edited_places(case):
    before, after, spec = run_case(case)
    old = before.dump().splitlines(keepends=True)
    new = after.dump().splitlines(keepends=True)
    spans = key_lines(before.lines, before.block)
    allowed = set()
    for key in ("updated", "tags"):
        if key in spans:
            allowed.update(range(spans[key][0], spans[key][1] + 1))
    for edit in spec["edits"]:
        if edit["op"] == "revise":
            heading = next(h for h in before.scan.headings if h.text.lower() == edit["section"].lower())
            later = [h.line for h in before.scan.headings if h.line > heading.line]
            allowed.update(range(heading.line, (later[0] - 1) if later else len(old)))
    sources = next(h.line for h in before.scan.headings if h.text == "Sources") if "## Sources" in before.text else None
    last_def = max((d.line for d in before.scan.defs), default=None)
    opcodes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    changed = [op for op in opcodes if op[0] != "equal"]
    assert changed, "the update changed nothing"
    for tag, i1, i2, j1, j2 in changed:
        assert set(range(i1, i2)) <= allowed, (tag, old[i1:i2])
        inserted = new[j1:j2]
        if sources is not None and i1 >= sources:
            assert i1 == last_def and all(line.startswith("[^") for line in inserted), inserted
    assert all(line.endswith(before.newline) for line in new)


def test_crlf_and_bom_are_kept():
    text = "---\r\ntitle: T\r\ncreated: 2026-01-01\r\nupdated: 2026-01-01\r\ntags: []\r\nstatus: draft\r\n---\r\n\r\n# T\r\n\r\n## A\r\n\r\nOld.\r\n"
    article = Article.from_bytes(("\ufeff" + text).encode("utf-8"))
    update = ArticleUpdate((Edit("append", "A", (Block("paragraph", "New.", evidence=cite("n.txt")),)),))
    out = apply_update(article, update, article_rel="articles/t.md", today=TODAY).dump()
    assert out.startswith("\ufeff---\r\n")
    assert "\n" not in out.replace("\r\n", "")
    assert out.endswith("[^1]: [n.txt](../inbox/used/n.txt)\r\n")
    assert "Old.\r\n\r\nNew.[^1]\r\n\r\n## Sources\r\n\r\n" in out


def test_missing_final_newline_stays_missing():
    article = Article("---\ntitle: T\nupdated: 2026-01-01\n---\n\n# T\n\n## A\n\nOld.")
    update = ArticleUpdate((Edit("append", "A", (Block("paragraph", "New.", evidence=cite("n.txt")),)),))
    out = apply_update(article, update, article_rel="articles/t.md", today=TODAY).text
    assert out.endswith("[^1]: [n.txt](../inbox/used/n.txt)")
    assert not out.endswith("\n")


def test_unknown_anchor_names_the_headings():
    before, _, _ = load_case("append-middle")
    update = ArticleUpdate((Edit("append", "Steeping", (Block("paragraph", "x", evidence=cite("a")),)),))
    with pytest.raises(DraftError, match=r"no heading 'Steeping'.*'Water', 'Brewing'"):
        apply_update(before, update, article_rel="articles/a.md", today=TODAY)


def test_sources_cannot_be_an_anchor():
    before, _, _ = load_case("append-middle")
    update = ArticleUpdate((Edit("revise", "Sources", (Block("paragraph", "x", evidence=cite("a")),)),))
    with pytest.raises(DraftError, match="Sources section is written by notesmith"):
        apply_update(before, update, article_rel="articles/a.md", today=TODAY)


def test_anchor_matching_exact_first_then_loose():
    article = Article("# T\n\n## Notes\n\nA.\n\n## notes\n\nB.\n\n## Big   Ideas\n\nC.\n")
    assert find_section(article, "notes").line == 7
    assert find_section(article, "NOTES").line == 3
    assert find_section(article, "big ideas").line == 11
    assert find_section(article, "## Big Ideas").line == 11


def test_bad_edits_are_rejected():
    before, _, _ = load_case("append-middle")
    for edit, message in [
        (Edit("replace", "Water", ()), "unknown edit op"),
        (Edit("add_section", "Water", (), heading="  "), "needs a heading"),
        (Edit("revise", None, ()), "must name the section"),
    ]:
        with pytest.raises(DraftError, match=message):
            apply_update(before, ArticleUpdate((edit,)), article_rel="articles/a.md", today=TODAY)


def test_revise_without_a_paragraph_cannot_drop_citations():
    before, _, _ = load_case("revise-reattach")
    update = ArticleUpdate((Edit("revise", "Route", (Block("heading", "Only a heading", level=3),)),))
    with pytest.raises(DraftError, match="no paragraph to carry its citations"):
        apply_update(before, update, article_rel="articles/a.md", today=TODAY)


def test_revise_keeps_a_definition_written_inside_the_section():
    article = Article("# T\n\n## A\n\nOld[^1].\n\n[^1]: [a.txt](../inbox/used/a.txt)\n\n## B\n\nMore.\n")
    update = ArticleUpdate((Edit("revise", "A", (Block("paragraph", "New.", evidence=cite("b.txt")),)),))
    out = apply_update(article, update, article_rel="articles/t.md", today=TODAY).text
    assert "## A\n\nNew.[^2][^1]\n\n[^1]: [a.txt](../inbox/used/a.txt)\n\n## B\n" in out
    assert out.endswith("## Sources\n\n[^2]: [b.txt](../inbox/used/b.txt)\n")


def test_nothing_to_change_keeps_the_text():
    before, _, _ = load_case("append-middle")
    out = apply_update(before, ArticleUpdate(()), article_rel="articles/a.md", today="2026-03-10")
    assert out.dump() == before.dump()


def test_edit_at_the_end_of_an_article_without_frontmatter():
    article = Article("# Plain\n\nJust text.\n")
    update = ArticleUpdate((Edit("append", None, (Block("paragraph", "More.", evidence=cite("m.txt")),)),), tags=("x",))
    out = apply_update(article, update, article_rel="articles/p.md", today=TODAY).text
    assert out == "# Plain\n\nJust text.\n\nMore.[^1]\n\n## Sources\n\n[^1]: [m.txt](../inbox/used/m.txt)\n"


def test_new_h2_anchored_to_a_subsection_goes_after_its_parent():
    article = Article("# T\n\n## A\n\n### x\n\nX.\n\n### y\n\nY.\n\n## B\n\nB.\n")
    update = ArticleUpdate((Edit("add_section", "x", (Block("paragraph", "N.", evidence=cite("n")),), "New", 2),
                            Edit("add_section", "x", (), "Sub")))
    out = apply_update(article, update, article_rel="articles/t.md", today=TODAY).text
    assert out.startswith("# T\n\n## A\n\n### x\n\nX.\n\n### Sub\n\n### y\n\nY.\n\n## New\n\nN.[^1]\n\n## B\n")


def test_an_update_keeps_existing_footnotes_and_anchors_new_passages():
    article = Article("# T\n\n## A\n\nOld[^1].\n\n## Sources\n\n"
                      "[^1]: [a.txt, lines 3–5](../inbox/used/a.txt#L3-L5)\n")
    same, new = Evidence("a.txt", "x", "y", Anchor((3, 5))), Evidence("a.txt", "x", "y", Anchor((8, 8)))
    lost = Evidence("b.txt", "made up", "words", None, "S2 does not contain 'made up'")
    update = ArticleUpdate((Edit("append", "A", (Block("paragraph", "Same.", evidence=(same,)),
                                                 Block("paragraph", "Both.", evidence=(new, lost)))),))
    out = apply_update(article, update, article_rel="articles/t.md", today=TODAY).text
    assert "Old[^1].\n\nSame.[^1]\n\nBoth.[^2][^3]\n\n## Sources\n\n" in out
    assert out.endswith("[^1]: [a.txt, lines 3–5](../inbox/used/a.txt#L3-L5)\n"
                        "[^2]: [a.txt, line 8](../inbox/used/a.txt#L8)\n"
                        "[^3]: [b.txt](../inbox/used/b.txt)\n")  # not found: the whole input, no anchor
    by_source = apply_update(article, update, article_rel="articles/t.md", today=TODAY, citations="source").text
    assert "Same.[^2]\n\nBoth.[^2][^3]" in by_source
    assert by_source.endswith("[^2]: [a.txt](../inbox/used/a.txt)\n[^3]: [b.txt](../inbox/used/b.txt)\n")
