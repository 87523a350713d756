# Steering pages and messages.
