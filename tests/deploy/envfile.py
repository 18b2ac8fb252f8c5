"""Read deploy/production.env.example the way systemd's EnvironmentFile and django-environ's .env both read it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "deploy" / "production.env.example"


def read_env_file(path: Path = EXAMPLE) -> dict[str, str]:
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and key.isidentifier(), f"{path.name}:{number}: not KEY=VALUE: {line!r}"
        assert not value.startswith(("'", '"')), f"{path.name}:{number}: no quotes (systemd keeps them)"
        assert " #" not in value, f"{path.name}:{number}: comments on their own line (systemd keeps them in the value)"
        values[key] = value
    return values
