"""Invoices (Factur-X) for the fees owed to firms, and tax receipts for skills sponsorship."""

from __future__ import annotations
