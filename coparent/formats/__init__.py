"""Project date formats: one way of writing a date across the site ("Wed 17 Jun 2026")."""
