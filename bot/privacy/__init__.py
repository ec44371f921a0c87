"""Data ownership: `/interview forget-me` deletes what the bot stored about the caller."""
