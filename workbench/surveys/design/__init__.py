"""Designing a survey: the survey and its settings, its questionnaire and questions, templates."""
