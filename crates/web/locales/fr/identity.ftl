# Identity pages and messages.
