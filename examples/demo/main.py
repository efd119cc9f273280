"""Run me with the demo's .venv: Venv Pilot: Create Environment, then `python main.py` in a terminal."""
import sys

import pilotfish

print("Running in", sys.prefix)
pilotfish.main()
