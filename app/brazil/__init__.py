"""Brazilian identifiers, names and calendars."""
