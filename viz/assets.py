"""Solara's front end, fetched once from the npm registry, so the app works without internet.

Solara's page loads its JavaScript and CSS from a public CDN; its server first looks for each file in a
local folder (``SOLARA_ASSETS_PROXY_CACHE_DIR``, by default ``<sys.prefix>/share/solara/cdn``). This module
fills that folder with exactly the files the app's pages ask for, under the names Solara requests (e.g.
``vega@5/...``), from the npm registry's tarballs checked against their published sha512. Users with
internet do not need it: Solara then fetches from the CDN on first use.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
# folder name Solara requests -> (npm package, version, files inside the package to keep)
PACKAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "@widgetti/solara-vuetify-app@10.1.1": (
        "@widgetti/solara-vuetify-app",
        "10.1.1",
        ("dist/main*.css", "dist/fonts.css", "dist/*.woff*", "dist/*.ttf", "dist/solara-vuetify-app*.js"),
    ),
    "requirejs@2.3.6": ("requirejs", "2.3.6", ("require.js",)),
    "font-awesome@4.5.0": ("font-awesome", "4.5.0", ("css/font-awesome.min.css", "fonts/*")),
    "@widgetti/vue-grid-layout@2.3.13-alpha.2": (
        "@widgetti/vue-grid-layout",
        "2.3.13-alpha.2",
        ("dist/vue-grid-layout.umd.js",),
    ),
    "vega@5": ("vega", "5.33.1", ("build/vega.min.js",)),
    "vega-lite@5": ("vega-lite", "5.23.0", ("build/vega-lite.min.js",)),
    "vega-embed@6": ("vega-embed", "6.29.0", ("build/vega-embed.min.js",)),
}


def cdn_folder() -> Path:
    """Where Solara's server looks for front-end files before the CDN."""
    return Path(os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR") or Path(sys.prefix) / "share" / "solara" / "cdn")


def missing(folder: Path | None = None) -> list[str]:
    """Folders (as Solara names them) not prepared yet."""
    folder = folder or cdn_folder()
    return [name for name in PACKAGES if not (folder / name / ".complete").exists()]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed https registry URLs)
        return response.read()


def _fetch(package: str, version: str) -> bytes:
    meta = json.loads(_get(f"{REGISTRY}/{package}/{version}"))
    tarball = _get(meta["dist"]["tarball"])
    algorithm, _, expected = meta["dist"]["integrity"].partition("-")
    if base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode() != expected:
        raise RuntimeError(f"{package}@{version}: the tarball does not match the registry's {algorithm}")
    return tarball


def prepare(folder: Path | None = None, log=print) -> Path:
    """Download what is missing into ``folder``; each package is marked complete only once fully written."""
    folder = folder or cdn_folder()
    for name in missing(folder):
        package, version, patterns = PACKAGES[name]
        log(f"fetching {package}@{version} from the npm registry")
        with tarfile.open(fileobj=io.BytesIO(_fetch(package, version)), mode="r:gz") as archive:
            for member in archive.getmembers():
                inside = member.name.split("/", 1)[1] if "/" in member.name else member.name
                if member.isfile() and any(fnmatch.fnmatch(inside, p) for p in patterns):
                    target = folder / name / inside
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.extractfile(member).read())
        (folder / name / ".complete").write_text(f"{package}@{version}\n")
    return folder


if __name__ == "__main__":
    print(f"Solara front end ready in {prepare()}")
