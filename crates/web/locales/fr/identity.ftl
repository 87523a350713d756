# Identity pages and messages.
sso-or = Ou avec votre compte professionnel
sso-sign-in-with = Se connecter avec
sso-refused-title = Connexion refusée
sso-back-to-login = Revenir à la page de connexion
sso-refused-state = Cette demande de connexion est inconnue, a déjà servi ou a expiré. Recommencez depuis la page de connexion de Relais.
sso-refused-provider = Le fournisseur d'identité est injoignable ou mal configuré. Réessayez plus tard ou connectez-vous avec votre mot de passe.
sso-refused-provider-error = Le fournisseur d'identité n'a pas confirmé votre connexion. Recommencez depuis la page de connexion.
sso-refused-exchange = La réponse du fournisseur d'identité n'a pas pu être validée (code déjà utilisé ou invalide). Recommencez depuis la page de connexion.
sso-refused-id-token = Le jeton d'identité du fournisseur n'a pas passé les contrôles de sécurité (signature, émetteur, destinataire, validité ou nonce). Aucun compte n'a été ouvert.
sso-refused-acr = Le niveau d'authentification fourni ne suffit pas pour Relais.
sso-refused-userinfo = Les informations d'identité transmises par le fournisseur sont incomplètes ou incohérentes.
sso-refused-unknown-organisation = Votre organisation n'est pas adhérente ou n'est pas reconnue par Relais : aucun compte n'a été créé. Si votre établissement est adhérent, demandez à son référent de vous inviter ou à l'agence de déclarer son SIRET ou son domaine de messagerie.
sso-refused-inactive = Votre compte existe mais n'est pas encore activé : le référent de votre établissement doit le valider.
