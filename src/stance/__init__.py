"""stance: who is the author for and against."""
