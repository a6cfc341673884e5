"""Run the events CLI from a checkout: ``python cli.py release``."""

from events.cli import app

if __name__ == "__main__":
    app()
