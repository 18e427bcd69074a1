"""The local vault service: issues credential files and accepts registrations (see README.md here)."""
