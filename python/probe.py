# Prints one JSON object describing the running interpreter. Run as `python -E -s probe.py`.
# Must run unchanged on Python 2.7 through 3.14: no f-strings, no annotations, stdlib only.
import json
import os
import platform
import struct
import sys
import sysconfig


def main():
    base_prefix = getattr(sys, "base_prefix", None) or getattr(sys, "real_prefix", None) or sys.prefix
    info = {
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "versionInfo": list(sys.version_info)[:5],
        "bits": struct.calcsize("P") * 8,
        "platform": sys.platform,
        "machine": platform.machine(),
        "executable": sys.executable,
        "prefix": sys.prefix,
        "basePrefix": base_prefix,
        "paths": sysconfig.get_paths(),
        "baseExecutable": getattr(sys, "_base_executable", None),
        "hasVenvModule": has_module("venv"),
        "hasEnsurepip": has_module("ensurepip"),
    }
    sys.stdout.write(json.dumps(info))


def has_module(name):
    try:
        import importlib.util

        return importlib.util.find_spec(name) is not None
    except ImportError:
        import imp

        try:
            imp.find_module(name)
            return True
        except ImportError:
            return False


main()
