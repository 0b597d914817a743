"""Areas: the council's lookup of postcode sectors to deprivation deciles (report 3.3c)."""
