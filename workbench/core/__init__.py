"""Framework-free helpers shared by the apps: extraction, errors, and (later) safe fetching."""
