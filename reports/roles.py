"""The three roles and their permissions, as data (applied by migration reports/0002_roles)."""

FILER, REVIEWER, ADMINISTRATOR = "填报员", "审核员", "管理员"

_READ = [
    "reports.view_report",
    "reports.view_sourcedocument",
    "reports.view_validationissue",
    "reports.view_cellcomment",
    "reports.view_reportevent",
    "reports.view_disclosuretable",
    "reports.view_applicationoutcome",
    "reports.view_reviewlitigation",
    "agencies.view_agency",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    FILER: [
        *_READ,
        "reports.add_report",
        "reports.change_report",
        "reports.import_report",
        "reports.change_disclosuretable",
        "reports.change_applicationoutcome",
        "reports.change_reviewlitigation",
    ],
    REVIEWER: [
        *_READ,
        "reports.view_all_reports",
        "reports.add_report",
        "reports.change_report",
        "reports.import_report",
        "reports.review_report",
        "reports.change_disclosuretable",
        "reports.change_applicationoutcome",
        "reports.change_reviewlitigation",
        "reports.add_cellcomment",
        "reports.change_cellcomment",
        "reports.view_issueacceptance",
        "reports.add_issueacceptance",
        "agencies.add_agency",
        "agencies.change_agency",
        "agencies.view_agencyalias",
        "agencies.add_agencyalias",
        "agencies.change_agencyalias",
    ],
    ADMINISTRATOR: ["*"],  # every permission of the agencies and reports apps, plus user management
}

ADMIN_EXTRA = ["auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group"]
