"""Regenerate the sample-company tables of docs/channel_strategy.md from the code.

    python scripts/channel_docs_table.py          # rewrite the block between the markers
    python scripts/channel_docs_table.py --check  # exit 1 when the docs differ from the code
"""

from __future__ import annotations

import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "channel_strategy.md"


def sample_block() -> str:
    """The generated block: comparison, verdict, frontier caption and break-even table (defaults)."""
    from workbench import load_sample
    from workbench.channels import ChannelParams, break_even, evaluate_strategies, frontier, prepare_market
    from workbench.channels.summary import DOC_END, DOC_START, comparison_markdown, sensitivity_markdown

    world = load_sample()
    params = ChannelParams()
    market = prepare_market(world, params)
    cmp = evaluate_strategies(world, params, market=market)
    front = frontier(world, params, comparison=cmp, market=market)
    sens = break_even(market=market)
    return "\n".join([DOC_START, comparison_markdown(cmp, front), "", sensitivity_markdown(sens), DOC_END])


def replace_block(text: str, block: str) -> str:
    from workbench.channels.summary import DOC_END, DOC_START

    start, end = text.index(DOC_START), text.index(DOC_END) + len(DOC_END)
    return text[:start] + block + text[end:]


def main(argv: list[str]) -> int:
    text = DOC.read_text()
    new = replace_block(text, sample_block())
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
