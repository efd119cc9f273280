"""A PEP 517/660 build backend inside the project, so installing it needs no network and no
setuptools. It reads pyproject.toml with tomllib (Python 3.11+) on every build, so the
metadata of an editable install follows the file: a dependency added there is a Requires-Dist
of the next install."""

import base64
import hashlib
import os
import tomllib
import zipfile


def _project():
    with open("pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _requires(requirement, extra=None):
    if extra is None:
        return "Requires-Dist: " + requirement
    # The requirement's own marker, if any, must hold as well as the extra's.
    name, _, marker = requirement.partition(";")
    condition = 'extra == "%s"' % extra
    return "Requires-Dist: %s; %s" % (name.strip(), "(%s) and %s" % (marker.strip(), condition) if marker.strip() else condition)


def _metadata(project):
    lines = ["Metadata-Version: 2.1", "Name: " + project["name"], "Version: " + project["version"]]
    if "description" in project:
        lines.append("Summary: " + project["description"])
    if "requires-python" in project:
        lines.append("Requires-Python: " + project["requires-python"])
    lines += [_requires(r) for r in project.get("dependencies", [])]
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append("Provides-Extra: " + extra)
        lines += [_requires(r, extra) for r in requirements]
    return "\n".join(lines) + "\n"


def _wheel(wheel_directory, files):
    project = _project()
    module = project["name"].replace("-", "_")
    dist = "%s-%s.dist-info" % (module, project["version"])
    files = dict(files)
    files[dist + "/METADATA"] = _metadata(project)
    files[dist + "/WHEEL"] = "Wheel-Version: 1.0\nGenerator: shoal_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for name, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content.encode()).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(content.encode())))
    record.append(dist + "/RECORD,,")
    files[dist + "/RECORD"] = "\n".join(record) + "\n"
    filename = "%s-%s-py3-none-any.whl" % (module, project["version"])
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    module = _project()["name"].replace("-", "_")
    with open(os.path.join(module, "__init__.py")) as f:
        return _wheel(wheel_directory, {module + "/__init__.py": f.read()})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    module = _project()["name"].replace("-", "_")
    return _wheel(wheel_directory, {"__editable__.%s.pth" % module: os.path.abspath(".") + "\n"})


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []
