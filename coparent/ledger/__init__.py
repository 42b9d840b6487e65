"""The money maths of the shared expenses ledger, in plain Python: minor units per ISO 4217
currency, splitting an amount by percentages into shares that sum exactly, allocating a payment
to open requests, and the balance between members. No Django: importable and testable alone."""
