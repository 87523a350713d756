# Durability pages and messages.
