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
        "venvPaths": venv_paths(),
        "markerEnvironment": marker_environment(),
        "hasVenvModule": has_module("venv"),
        "hasEnsurepip": has_module("ensurepip"),
        # PEP 703 free-threaded builds (3.13t) report Py_GIL_DISABLED = 1.
        "freeThreaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    }
    sys.stdout.write(json.dumps(info))


def venv_paths():
    """The sysconfig install paths a venv of this interpreter uses, relative to the venv folder."""
    # normpath: on Windows sysconfig normalises the paths it returns (\__venv__\Lib\...), so the
    # prefix must be normalised the same way for the comparison below to match.
    base = os.path.normpath("/__venv__")
    names = sysconfig.get_scheme_names()
    if "venv" in names:
        scheme = "venv"
    elif os.name == "nt":
        scheme = "nt"
    elif platform.python_implementation() == "PyPy" and "pypy" in names:
        scheme = "pypy"
    else:
        scheme = "posix_prefix"
    variables = {"base": base, "platbase": base, "installed_base": base, "installed_platbase": base}
    paths = sysconfig.get_paths(scheme, vars=variables)
    return dict((key, value[len(base) + 1:]) for key, value in paths.items() if value.startswith(base + os.sep))


def marker_environment():
    """PEP 508 environment markers, as packaging's default_environment() computes them."""
    implementation = getattr(sys, "implementation", None)
    if implementation is not None:
        info = implementation.version
        iver = "%d.%d.%d" % (info.major, info.minor, info.micro)
        if info.releaselevel != "final":
            iver += info.releaselevel[0] + str(info.serial)
        name = implementation.name
    else:
        iver, name = "0", ""
    return {
        "implementation_name": name,
        "implementation_version": iver,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


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
