"""Every code block of README.md runs, or is an excerpt of an example the tests run.

- A `python` or `js` block is run as it stands against the embedded sandbox, in a
  fresh interpreter (`node` for js, as an ES module in the repository, so `paynet`
  resolves to this package).
- A block after `<!-- runs with: sb, client, ... -->` is a fragment: the names listed
  are defined first (`sb` a sandbox, `client` its client, and in js any other name
  an export of `paynet`), and the sandbox is stopped after it.
- A block after `<!-- excerpt of examples/... -->` must appear, line by line and in
  order, in that file, and a test must run that file.
- `sh` and `yaml` blocks are commands and settings (`make test` itself, a compose
  file), not programs: they are not run here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
NOT_PROGRAMS = {"sh", "yaml"}
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>\w*)\s*$")
NOTE = re.compile(r"^\s*<!-- (?P<note>.*) -->\s*$")

PY_NAMES = {
    "sb": "from paynet.testing import Sandbox\nsb = Sandbox()\n",
    "client": "client = sb.client()\n",
    "paynet": "import paynet\n",
    "Decimal": "from decimal import Decimal\n",
}


@dataclass
class Block:
    line: int
    lang: str
    code: str
    note: str | None

    @property
    def id(self) -> str:
        return f"README.md:{self.line}:{self.lang}"


def blocks() -> list[Block]:
    lines = README.read_text().splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, indent = i, m["indent"]
        i += 1
        body: list[str] = []
        while not lines[i].startswith(indent + "```"):
            body.append(lines[i])
            i += 1
        previous = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        note = NOTE.match(previous)
        found.append(Block(start + 1, m["lang"], textwrap.dedent("\n".join(body)) + "\n", note["note"] if note else None))
        i += 1
    return found


BLOCKS = [b for b in blocks() if b.lang not in NOT_PROGRAMS]


def test_the_readme_has_runnable_blocks() -> None:
    assert {b.lang for b in BLOCKS} <= {"python", "js"}, [b.id for b in BLOCKS]
    assert sum(b.note is None for b in BLOCKS) >= 2  # the quickstarts run whole


def names(note: str) -> list[str]:
    return [n.strip() for n in note.removeprefix("runs with:").split(",")]


def run_python(block: Block, tmp_path: Path) -> None:
    prelude = ""
    if block.note:
        prelude = "".join(PY_NAMES[n] for n in names(block.note))
    code = prelude + block.code + ("sb.stop()\n" if "sb" in prelude else "")
    script = tmp_path / "block.py"
    script.write_text(code)
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"{block.id}\n{code}\n{run.stdout}\n{run.stderr}"


def run_js(block: Block) -> None:
    prelude = ""
    if block.note:
        wanted = names(block.note)
        prelude = "import { startSandbox as __startSandbox } from 'paynet/testing';\nimport * as __paynet from 'paynet';\n"
        if "sb" in wanted:
            prelude += "const sb = await __startSandbox();\n"
        if "client" in wanted:
            prelude += "const client = sb.client();\n"
        exports = [n for n in wanted if n not in ("sb", "client")]
        if exports:
            prelude += f"const {{ {', '.join(exports)} }} = __paynet;\n"
    code = prelude + block.code + ("await sb.stop();\n" if "const sb" in prelude else "")
    # Inside the repository, so `paynet` is this package (its own name and exports).
    folder = ROOT / "test-output" / "readme"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / f"block-{block.line}.mjs"
    script.write_text(code)
    node = shutil.which("node")
    assert node, "node is needed for the js blocks"
    run = subprocess.run([node, str(script)], cwd=folder, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"{block.id}\n{code}\n{run.stdout}\n{run.stderr}"


def check_excerpt(block: Block) -> None:
    path = block.note.removeprefix("excerpt of ").strip() if block.note else ""
    source = (ROOT / path).read_text().splitlines()
    at = 0
    for line in (line.strip() for line in block.code.splitlines() if line.strip()):
        while at < len(source) and source[at].strip() != line:
            at += 1
        assert at < len(source), f"{block.id}: {line!r} is not in {path} (in this order)"
        at += 1
    runners = [p for p in (ROOT / "tests").rglob("*") if p.suffix in (".py", ".mjs") and Path(path).name in p.read_text()]
    assert runners, f"{block.id}: no test runs {path}"


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.id)
def test_block(block: Block, tmp_path: Path) -> None:
    if block.note and block.note.startswith("excerpt of "):
        check_excerpt(block)
    elif block.note and not block.note.startswith("runs with:"):
        pytest.fail(f"{block.id}: unknown note {block.note!r}")
    elif block.lang == "python":
        run_python(block, tmp_path)
    else:
        run_js(block)
