"""Departments, tiers and the access policy. Protocols use ``geoshare.access.policy`` only."""
