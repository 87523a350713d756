# Everyday pages and messages.
