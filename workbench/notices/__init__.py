"""Notices: which kinds of notice each user receives, and the time-based reminders of the
deposit and rectification deadlines (`workbench notices run`, meant for cron).

Notices themselves are stored and e-mailed by workbench/review/notifications.py; this domain
decides who wants which kind and sends the reminders that no user action triggers.
"""
