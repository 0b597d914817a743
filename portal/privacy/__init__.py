"""Retention, and panel members' rights of access and erasure."""
