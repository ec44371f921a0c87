"""Slack plumbing shared by every feature: clients, people, errors, mrkdwn, Block Kit, replies."""
