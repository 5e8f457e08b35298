"""`flask --app wsgi geo import-addresses FILE`: load an OpenAddresses file."""

from __future__ import annotations

import click

geo_cli = click.Group("geo", help="Geographic data: address points.")


@geo_cli.command("import-addresses")
@click.argument("source", type=click.File("r", encoding="utf-8-sig"))
def import_addresses_command(source) -> None:
    """Import address points from an OpenAddresses CSV or GeoJSON FILE (or - for stdin)."""
    from app.addresses.importer import import_addresses

    try:
        result = import_addresses(source, getattr(source, "name", ""))
    except ValueError as exc:  # json.JSONDecodeError is one
        raise click.ClickException(f"{getattr(source, 'name', 'input')}: {exc}") from None
    click.echo(f"read {result.read} rows: {result.added} addresses added, {result.updated} updated, "
               f"{sum(result.skipped.values())} skipped")
    for reason, count in sorted(result.skipped.items()):
        click.echo(f"  skipped {count}: {reason}")
