"""Makes tools/cfggen importable and the shared helpers available to every test."""

import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "cfggen"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
