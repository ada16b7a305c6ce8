"""Collecting answers: the public form, paper entry, collection state, sample plan, answers list."""
