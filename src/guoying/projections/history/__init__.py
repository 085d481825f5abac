"""The history read model: every decision on a branch, in store order."""
