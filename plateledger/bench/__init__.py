"""`plateledger bench`: measured figures for the store, side by side with a straightforward baseline."""
