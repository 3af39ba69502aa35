"""Regenerate the sample-company tables of docs/channel_strategy.md from the code.

    python scripts/channel_docs_table.py          # rewrite the block between the markers
    python scripts/channel_docs_table.py --check  # exit 1 when the docs differ from the code
"""

from __future__ import annotations

import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "channel_strategy.md"


def blocks() -> dict[str, str]:
    """The generated blocks: the sample's comparison, verdict, frontier caption and break-even table,
    and the sources of every default."""
    from workbench import load_sample
    from workbench.channels import ChannelParams, break_even, evaluate_strategies, frontier, prepare_market
    from workbench.channels.summary import comparison_markdown, sensitivity_markdown, sources_markdown

    world = load_sample()
    params = ChannelParams()
    market = prepare_market(world, params)
    cmp = evaluate_strategies(world, params, market=market)
    front = frontier(world, params, comparison=cmp, market=market)
    sens = break_even(market=market)
    return {"sample": "\n\n".join([comparison_markdown(cmp, front), sensitivity_markdown(sens)]),
            "sources": sources_markdown(params)}


def replace_blocks(text: str, contents: dict[str, str]) -> str:
    """``text`` with each generated block's content between its markers replaced."""
    from workbench.channels.summary import DOC_BLOCKS

    for name, body in contents.items():
        start_mark, end_mark = DOC_BLOCKS[name]
        start = text.index(start_mark) + len(start_mark)
        end = text.index(end_mark)
        text = text[:start] + "\n" + body + "\n" + text[end:]
    return text


def main(argv: list[str]) -> int:
    text = DOC.read_text()
    new = replace_blocks(text, blocks())
    if "--check" in argv:
        if new != text:
            print(f"{DOC} is out of date: run python scripts/channel_docs_table.py")
            return 1
        return 0
    DOC.write_text(new)
    print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
