"""Invoices and payment runs."""
