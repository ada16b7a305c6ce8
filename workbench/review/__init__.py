"""Bureau review: submissions and comments (submissions.py, decisions.py), the lock on what is
under review (locking.py), the quality rating (rubrics.py, rubric_store.py, rating.py),
notifications, rectification follow-up, and the archive (archive_checklist.py, archive.py,
manifest.py, cli.py)."""
