"""Address points of the served area: imported from OpenAddresses files, found by text or by place."""
