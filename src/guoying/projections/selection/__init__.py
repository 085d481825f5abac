"""The selection read model: the board of a year, the title register and the Annex 3 form."""
