"""plateledger: an accountable records platform for automated license plate readers."""

__version__ = "0.1.0"
