# Durability pages and messages.
durability-unavailable-title = Service temporarily unavailable
durability-storage-full = Storage is full: nothing was saved. Reading still works; try again in { $secs } s.
durability-database-down = The database cannot be reached right now: nothing was saved. Try again in { $secs } s.
durability-idempotency-reused = This idempotency key was already used for another request: use a new key.
durability-idempotency-invalid = The idempotency key must be 1 to 200 visible (ASCII) characters.
durability-idempotency-in-flight = A request with this idempotency key is still running: try again in a moment.
