"""The dashboard's pages: file, title, icon and URL path, grouped into sections."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    """One page of the navigation."""

    file_name: str
    title: str
    icon: str
    url_path: str  # "" for the default page, served at the app's root
    has_filters: bool  # whether the sidebar shows the view filters on this page

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file_name


OVERVIEW = PageSpec("overview.py", "Overview", ":material/dashboard:", "", True)
RETENTION = PageSpec("retention.py", "Retention", ":material/autorenew:", "retention", True)
CLV = PageSpec("clv.py", "CLV", ":material/savings:", "clv", True)
NARRATIVE = PageSpec("narrative.py", "Narrative", ":material/article:", "narrative", True)
UPLOAD = PageSpec("upload.py", "Upload", ":material/upload:", "upload", False)
SETTINGS = PageSpec("settings.py", "Settings", ":material/settings:", "settings", False)
REPORTS = PageSpec("reports.py", "Reports", ":material/summarize:", "reports", True)

SECTIONS: dict[str, tuple[PageSpec, ...]] = {
    "Analysis": (OVERVIEW, RETENTION, CLV, NARRATIVE, REPORTS),
    "Data": (UPLOAD, SETTINGS),
}
