"""Print where everything listens and how to log in, once `make run` has prepared it."""

from app.config import load_config
from app.seed.demo import DEMO_PASSWORD, RESIDENTS, STAFF


def main() -> None:
    config = load_config()
    base = config["PUBLIC_BASE_URL"]
    mail = (f"dev mail sink 127.0.0.1:{config['MAIL_SINK_PORT']} (kept in {config['MAIL_SINK_DIR']})"
            if config["MAIL_TRANSPORT"] == "dev-sink" else f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}")
    lines = [
        "",
        "Civic 311 is starting:",
        f"  web            {base}/",
        f"  health         {base}/healthz",
        f"  API            {base}/api/v1/   (OpenAPI: {base}/api/v1/openapi.json)",
        f"  Open311        {base}/open311/v2/discovery.json",
        f"  inbound SMTP   {config['INBOUND_SMTP_HOST']}:{config['INBOUND_SMTP_PORT']} for @{config['INBOUND_DOMAIN']}",
        f"  outgoing mail  {mail}",
        "",
        f"Demo logins (password: {DEMO_PASSWORD}):",
    ]
    for slug, people in STAFF.items():
        for email, _name, role in people:
            lines.append(f"  {email:<28} {role} of {slug}")
    lines.append(f"  {RESIDENTS[0][0]} .. {RESIDENTS[-1][0]}   residents")
    lines.append("\nCtrl-C stops every process.\n")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
