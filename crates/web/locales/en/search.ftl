# Search pages and messages.
