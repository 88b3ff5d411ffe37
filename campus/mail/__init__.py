"""E-mail: notifications out, replies in."""
