"""The oversight read model: supervision, findings, linkage and funding (§4, §7, §8, §9)."""
