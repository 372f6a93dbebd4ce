"""Torture Chamber's Qt layer: widgets over core models, and the qasync glue. No business logic."""
