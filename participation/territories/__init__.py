"""Communes, priority neighbourhoods (QPV), themes."""
