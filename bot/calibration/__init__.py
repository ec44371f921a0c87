"""Interviewer calibration: agreement statistics and charts for panel-scored evidence."""
