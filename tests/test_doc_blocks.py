"""Every code block in the README and docs/ is run by a test, or marked illustrative right above it."""

from __future__ import annotations

from tests.doc_blocks import ROOT, blocks

#: Blocks a test runs, by a line only that block has → the test that runs it. Every Python block
#: is run by tests/test_readme_snippets.py (or, for the plugin's SDK, tests/test_engine_plugin.py).
RUN_BY = {
    "for field in consumer_key:": "tests/test_quick_start.py",
    "accounts:                          # account name": "tests/test_accounts.py",
    '"x-secret-rotation-overdue": {"mandatoryAfterDays": 60},': "tests/test_engine_policy_pack.py",
}


def runner(block) -> str | None:
    if block.lang == "python":
        return "tests/test_readme_snippets.py"
    found = [test for marker, test in RUN_BY.items() if marker in block.text]
    return found[0] if found else None


def test_each_block_is_run_by_a_test_or_marked_illustrative():
    unmarked = [b.where for b in blocks() if not b.illustrative and runner(b) is None]
    assert unmarked == [], "add the block to a test (and RUN_BY), or mark it <!-- illustrative -->"


def test_a_block_run_by_a_test_is_not_also_marked_illustrative():
    assert [b.where for b in blocks() if b.illustrative and runner(b) is not None] == []


def test_each_runner_reads_the_document_its_blocks_are_in():
    for block in blocks():
        test = runner(block)
        if test is not None:
            assert "doc_blocks" in (ROOT / test).read_text() or "README.md" in (ROOT / test).read_text(), test


def test_the_readme_fits_on_a_screen_or_four():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250


def test_the_list_of_blocks(capsys):
    """Printed with -s: the README and docs' code blocks and what runs each (for the release notes)."""
    listing = [f"{b.where} {b.lang or 'text'}: {runner(b) or 'illustrative'}" for b in blocks()]
    print("\n".join(listing))
    assert len(listing) == len(blocks()) > 0
