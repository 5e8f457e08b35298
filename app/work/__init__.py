"""Work orders and SLAs: what crews do, and deadlines that nobody forgets."""
