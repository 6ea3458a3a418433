"""The version of whitepaper, on its own so that any module can name it without importing the rest."""

__version__ = "0.1.0"
