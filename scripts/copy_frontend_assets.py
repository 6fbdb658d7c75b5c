"""Copy GOV.UK Frontend and MoJ Frontend's precompiled dist files into static/.

Their CSS asks for /assets/fonts/… and /assets/images/…, and STATIC_URL is
/assets/, so fonts and images go to static/fonts and static/images, the
CSS and JavaScript to static/vendor/. No Sass build is needed.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
STATIC = ROOT / "static"

GOVUK = MODULES / "govuk-frontend" / "dist" / "govuk"
MOJ = MODULES / "@ministryofjustice" / "frontend" / "moj"

COPIES = [
    (GOVUK / "govuk-frontend.min.css", STATIC / "vendor" / "govuk" / "govuk-frontend.min.css"),
    (GOVUK / "govuk-frontend.min.js", STATIC / "vendor" / "govuk" / "govuk-frontend.min.js"),
    (MOJ / "moj-frontend.min.css", STATIC / "vendor" / "moj" / "moj-frontend.min.css"),
    (MOJ / "moj-frontend.min.js", STATIC / "vendor" / "moj" / "moj-frontend.min.js"),
    (GOVUK / "assets" / "manifest.json", STATIC / "manifest.json"),
]
TREES = [
    (GOVUK / "assets" / "fonts", STATIC / "fonts"),
    (GOVUK / "assets" / "images", STATIC / "images"),
    (MOJ / "assets" / "images", STATIC / "images"),
]


def main() -> int:
    missing = [str(src) for src, _ in COPIES + TREES if not src.exists()]
    if missing:
        print("Front-end packages are missing; run `npm ci` first:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 1
    for src, dest in COPIES:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    for src, dest in TREES:
        shutil.copytree(src, dest, dirs_exist_ok=True)
    print(f"Copied GOV.UK Frontend and MoJ Frontend assets into {STATIC.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
