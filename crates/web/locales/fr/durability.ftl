# Durability pages and messages.
durability-unavailable-title = Service momentanément indisponible
durability-storage-full = L'espace de stockage est plein : rien n'a été enregistré. La consultation reste possible ; réessayez dans { $secs } s.
durability-database-down = La base de données est momentanément injoignable : rien n'a été enregistré. Réessayez dans { $secs } s.
durability-idempotency-reused = Cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé.
durability-idempotency-invalid = La clé d'idempotence doit compter de 1 à 200 caractères visibles (ASCII).
durability-idempotency-in-flight = Une requête avec cette clé d'idempotence est encore en cours : réessayez dans un instant.
